//! Building encoders from model specs: checkpoint files (with their `<name>.json` sidecar),
//! Hub files, registry names, seeded random networks and fusions.

use crate::checkpoint::read_tensors;
use crate::config::{Arch, ResNetConfig, Stem};
use crate::encoder::Encoder;
use crate::error::{EncoderError, Result};
use crate::folded::FoldedResNet;
use crate::fused::Concat;
use crate::hub;
use crate::params::random_init;
use crate::registry;
use crate::remap::{KeyRemap, describe, infer_config, to_torchvision, validate};
use crate::resnet::ResNet;
use crate::spec::ModelSpec;
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The architecture fields of a training checkpoint's `<name>.json`.
#[derive(Debug, serde::Deserialize)]
struct Sidecar {
    arch: String,
    width_mult: f64,
    stem: String,
}

fn sidecar_config(path: &Path) -> Result<Option<ResNetConfig>> {
    let json = path.with_extension("json");
    if !path.to_string_lossy().ends_with(".safetensors") || !json.is_file() {
        return Ok(None);
    }
    let err = |reason: String| EncoderError::Checkpoint {
        path: json.clone(),
        reason,
    };
    let text = std::fs::read_to_string(&json).map_err(|source| EncoderError::Io {
        path: json.clone(),
        source,
    })?;
    let meta: Sidecar = serde_json::from_str(&text)
        .map_err(|e| err(format!("not a checkpoint description: {e}")))?;
    let arch: Arch = meta
        .arch
        .parse()
        .map_err(|e: EncoderError| err(e.to_string()))?;
    let stem: Stem = meta
        .stem
        .parse()
        .map_err(|e: EncoderError| err(e.to_string()))?;
    Ok(Some(ResNetConfig {
        arch,
        width_mult: meta.width_mult,
        stem,
    }))
}

fn same_layout(a: &ResNetConfig, b: &ResNetConfig) -> bool {
    a.arch == b.arch && a.stem == b.stem && a.param_shapes() == b.param_shapes()
}

/// The backbone tensors of a checkpoint under torchvision names and the architecture they
/// hold, checked against `asked` (depth) and the `<name>.json` sidecar when present.
pub fn load_state(
    path: &Path,
    asked: Option<Arch>,
    remap: KeyRemap,
    device: &Device,
) -> Result<(ResNetConfig, HashMap<String, Tensor>)> {
    let tensors = to_torchvision(read_tensors(path, device)?, remap, path)?;
    let found = infer_config(&tensors, path)?;
    let mismatch = |reason: String| EncoderError::Checkpoint {
        path: path.to_path_buf(),
        reason,
    };
    if let Some(arch) = asked
        && arch != found.arch
    {
        return Err(mismatch(format!(
            "holds a {} but {} was asked for",
            describe(&found),
            arch.name()
        )));
    }
    let config = match sidecar_config(path)? {
        Some(meta) if !same_layout(&meta, &found) => {
            return Err(mismatch(format!(
                "its .json says {} but the tensors hold a {}",
                describe(&meta),
                describe(&found)
            )));
        }
        Some(meta) => meta,
        None => found,
    };
    validate(&tensors, &config, path)?;
    Ok((config, tensors))
}

/// A ResNet (train and eval mode) from a checkpoint file.
pub fn load_resnet(
    path: &Path,
    asked: Option<Arch>,
    remap: KeyRemap,
    device: &Device,
) -> Result<ResNet> {
    let (config, tensors) = load_state(path, asked, remap, device)?;
    ResNet::new(
        &config,
        VarBuilder::from_tensors(tensors, DType::F32, device),
    )
}

/// A seeded, PyTorch-initialised ResNet.
pub fn random_resnet(config: &ResNetConfig, seed: u64, device: &Device) -> Result<ResNet> {
    ResNet::new(
        config,
        VarBuilder::from_tensors(random_init(config, seed, device)?, DType::F32, device),
    )
}

/// Where a spec's weights live locally (downloading Hub and registry files when needed).
pub fn resolve_file(
    spec: &ModelSpec,
    progress: bool,
) -> Result<Option<(PathBuf, Option<Arch>, KeyRemap)>> {
    Ok(match spec {
        ModelSpec::File { arch, path } => Some((path.clone(), *arch, KeyRemap::Auto)),
        ModelSpec::Hub { repo, file } => {
            Some((hub::fetch(repo, file, progress)?, None, KeyRemap::Auto))
        }
        ModelSpec::Registry(name) => {
            let e = registry::lookup(name).ok_or_else(|| EncoderError::Spec {
                spec: name.clone(),
                reason: "not in the registry".into(),
            })?;
            Some((
                hub::fetch(e.repo, e.file, progress)?,
                Some(e.config.arch),
                e.remap,
            ))
        }
        ModelSpec::Random { .. } | ModelSpec::Fused(_) => None,
    })
}

fn build(spec: &ModelSpec, device: &Device) -> Result<Box<dyn Encoder>> {
    if let ModelSpec::Fused(parts) = spec {
        let encoders = parts
            .iter()
            .map(|p| build(p, device))
            .collect::<Result<Vec<_>>>()?;
        return Ok(Box::new(Concat::new(encoders)));
    }
    let net = match (spec, resolve_file(spec, true)?) {
        (ModelSpec::Random { config, seed }, _) => random_resnet(config, *seed, device)?,
        (_, Some((path, arch, remap))) => load_resnet(&path, arch, remap, device)?,
        (_, None) => unreachable!("every non-fused, non-random spec names a file"),
    };
    Ok(Box::new(FoldedResNet::new(&net)?))
}

/// The eval-mode encoder a spec string names (BatchNorm folded into the convolutions).
pub fn load_encoder(spec: &str, device: &Device) -> Result<Box<dyn Encoder>> {
    build(&ModelSpec::parse(spec)?, device)
}
