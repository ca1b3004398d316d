//! Building encoders from model specs: checkpoint files (with their `<name>.json` model card),
//! Hub files, registry names, seeded random networks and fusions.

use crate::card::ModelCard;
use crate::checkpoint::read_tensors;
use crate::config::{Arch, ResNetConfig};
use crate::encoder::Encoder;
use crate::error::{EncoderError, Result};
use crate::folded::FoldedResNet;
use crate::fused::FusedEncoder;
use crate::hub;
use crate::params::random_init;
use crate::registry::{self, RegistryModel};
use crate::remap::{KeyRemap, describe, infer_config, to_torchvision, validate};
use crate::resnet::ResNet;
use crate::spec::ModelSpec;
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use sslinv_augment::Preprocess;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn card_config(path: &Path) -> Result<Option<ResNetConfig>> {
    let Some(card) = ModelCard::beside(path)? else {
        return Ok(None);
    };
    card.resnet_config()
        .map(Some)
        .map_err(|e| EncoderError::Card {
            path: ModelCard::path_for(path),
            reason: e.to_string(),
        })
}

fn same_layout(a: &ResNetConfig, b: &ResNetConfig) -> bool {
    a.arch == b.arch && a.stem == b.stem && a.param_shapes() == b.param_shapes()
}

/// The backbone tensors of a checkpoint under torchvision names and the architecture they
/// hold, checked against `asked` (depth) and the `<name>.json` model card when present.
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
    let config = match card_config(path)? {
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
        ModelSpec::Registry { name, .. } => {
            let e = registry_entry(name)?;
            let (arch, remap) = match &e.model {
                RegistryModel::ResNet { config, remap } => (Some(config.arch), *remap),
                RegistryModel::Vit { .. } => (None, KeyRemap::Auto),
            };
            Some((hub::fetch(e.repo, e.file, progress)?, arch, remap))
        }
        // ViT checkpoints load through `build`, not the ResNet path.
        ModelSpec::Random { .. }
        | ModelSpec::RandomVit { .. }
        | ModelSpec::Fused { .. }
        | ModelSpec::Vit { .. } => None,
    })
}

/// An eval-mode encoder with what it needs around it: the spec it came from and its eval
/// preprocessing.
pub struct LoadedModel {
    /// The spec, parsed (fusion mode included).
    pub spec: ModelSpec,
    /// The encoder (BatchNorm folded; a [`FusedEncoder`] for `a+b` specs).
    pub encoder: Box<dyn Encoder>,
    /// The model's own eval preprocessing: the registry's resize and crop, a model card's
    /// training resolution, else the paper's resize 224 + centre crop 224 (ImageNet mean and
    /// std). A fusion takes its first member's. Protocols with fixed sizes (the paper's
    /// statistics at 256/224) use [`LoadedModel::preprocess_at`].
    pub preprocess: Preprocess,
}

impl LoadedModel {
    /// The model's normalisation with another resize and crop.
    pub fn preprocess_at(&self, resize: Option<u32>, crop: Option<u32>) -> Preprocess {
        Preprocess::new(resize, crop).with_mean_std(self.preprocess.mean, self.preprocess.std)
    }
}

/// The eval preprocessing a single (unfused) spec asks for (see [`LoadedModel::preprocess`]).
pub fn member_preprocess(spec: &ModelSpec) -> Result<Preprocess> {
    Ok(match spec {
        ModelSpec::Registry { name, .. } => registry_entry(name)?.preprocess()?,
        ModelSpec::File { .. } => spec
            .card()?
            .map_or_else(Preprocess::eval224, |c| c.preprocess()),
        ModelSpec::Fused { members, .. } => match members.first() {
            Some(first) => member_preprocess(first)?,
            None => Preprocess::eval224(),
        },
        ModelSpec::Vit { arch, .. } | ModelSpec::RandomVit { arch, .. } => {
            crate::vit::pretrained_config(arch)?.preprocess()
        }
        ModelSpec::Hub { .. } | ModelSpec::Random { .. } => Preprocess::eval224(),
    })
}

/// The registry entry called `name`, or an error listing the registry.
fn registry_entry(name: &str) -> Result<&'static crate::RegistryEntry> {
    registry::lookup(name).ok_or_else(|| EncoderError::Spec {
        spec: name.to_string(),
        reason: format!("not in the registry ({})", registry::names().join(", ")),
    })
}

/// A ViT of timm `arch` (`ARCH` or `ARCH.TAG`) from the checkpoint at `path`.
fn build_vit(
    arch: &str,
    path: &std::path::Path,
    readout: crate::vit::Readout,
    device: &Device,
) -> Result<Box<dyn Encoder>> {
    let base = arch.split_once('.').map_or(arch, |(a, _)| a);
    let cfg = crate::vit::ViTConfig::timm(base)?;
    let (model, _layout) = crate::vit::load_vit(path, &cfg, device)?;
    Ok(Box::new(crate::vit::ViTEncoder::new(model, readout)?))
}

/// The model's own normalisation and resampling (registry entry, timm pretrained config or
/// model card) at a protocol's `resize` and `crop`: the protocol fixes the geometry, the
/// weights fix the rest (ImageNet mean/std and bilinear for the ResNets, as before; CLIP's
/// mean/std and bicubic for a CLIP ViT).
pub fn eval_preprocess(
    spec: &ModelSpec,
    resize: Option<u32>,
    crop: Option<u32>,
) -> Result<Preprocess> {
    let mut p = member_preprocess(spec)?;
    p.resize = resize;
    p.crop = crop;
    Ok(p)
}

fn build(spec: &ModelSpec, device: &Device) -> Result<Box<dyn Encoder>> {
    if let ModelSpec::Fused { members, mode } = spec {
        let encoders = members
            .iter()
            .map(|p| build(p, device))
            .collect::<Result<Vec<_>>>()?;
        return Ok(Box::new(FusedEncoder::new(encoders, *mode)?));
    }
    if let ModelSpec::Vit {
        arch,
        path,
        readout,
    } = spec
    {
        return build_vit(arch, path, *readout, device);
    }
    if let ModelSpec::RandomVit {
        arch,
        seed,
        readout,
    } = spec
    {
        let cfg = crate::vit::ViTConfig::timm(arch)?;
        let model = crate::vit::random_vit(&cfg, *seed, device)?;
        return Ok(Box::new(crate::vit::ViTEncoder::new(model, *readout)?));
    }
    if let ModelSpec::Registry { name, readout } = spec
        && let RegistryModel::Vit { arch } = registry_entry(name)?.model
    {
        let (path, ..) = resolve_file(spec, true)?.ok_or_else(|| EncoderError::Spec {
            spec: spec.to_string(),
            reason: "names no weights".into(),
        })?;
        return build_vit(arch, &path, *readout, device);
    }
    let net = match (spec, resolve_file(spec, true)?) {
        (ModelSpec::Random { config, seed }, _) => random_resnet(config, *seed, device)?,
        (_, Some((path, arch, remap))) => load_resnet(&path, arch, remap, device)?,
        (_, None) => {
            return Err(EncoderError::Spec {
                spec: spec.to_string(),
                reason: "names no weights".into(),
            });
        }
    };
    Ok(Box::new(FoldedResNet::new(&net)?))
}

/// The model a parsed spec names, with its preprocessing; the one way to load a spec.
pub fn load_model(spec: &ModelSpec, device: &Device) -> Result<LoadedModel> {
    Ok(LoadedModel {
        spec: spec.clone(),
        encoder: build(spec, device)?,
        preprocess: member_preprocess(spec)?,
    })
}

/// The eval-mode encoder a spec string names (BatchNorm folded into the convolutions); `a+b`
/// fuses by concatenation unless the spec has a mode prefix.
pub fn load_encoder(spec: &str, device: &Device) -> Result<Box<dyn Encoder>> {
    build(&ModelSpec::parse(spec)?, device)
}
