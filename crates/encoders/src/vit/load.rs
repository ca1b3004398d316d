//! Building a ViT from a checkpoint file (any supported layout) or from a seeded
//! initialisation, with the tensors checked against the architecture asked for.

use crate::checkpoint::read_tensors;
use crate::error::{EncoderError, Result};
use crate::layout_diff::LayoutDiff;
use crate::vit::config::ViTConfig;
use crate::vit::model::VisionTransformer;
use crate::vit::pos_embed::resample_abs_pos_embed;
use crate::vit::remap::{ViTLayout, describe, to_timm};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use std::collections::HashMap;
use std::path::Path;

/// The square position grid a `pos_embed` of `rows` rows holds for `cfg` (prefix rows aside).
fn pos_grid(cfg: &ViTConfig, rows: usize) -> Option<usize> {
    let prefix = if cfg.no_embed_class {
        0
    } else {
        cfg.prefix_tokens()
    };
    let cells = rows.checked_sub(prefix)?;
    let side = (cells as f64).sqrt().round() as usize;
    (side * side == cells && side > 0).then_some(side)
}

/// Resamples a file's position grid to `cfg`'s when they differ, as timm does at load time.
fn fit_pos_embed(cfg: &ViTConfig, tensors: &mut HashMap<String, Tensor>) -> Result<()> {
    let Some(pos) = tensors.get("pos_embed") else {
        return Ok(());
    };
    let (rows, d) = (pos.dim(1)?, pos.dim(2)?);
    let (Some(side), want) = (pos_grid(cfg, rows), cfg.grid()) else {
        return Ok(()); // not a square grid: reported as mis-shaped below
    };
    if side == want || d != cfg.embed_dim {
        return Ok(());
    }
    let prefix = if cfg.no_embed_class {
        0
    } else {
        cfg.prefix_tokens()
    };
    let flat = pos.flatten_all()?.to_vec1::<f32>()?;
    let out = resample_abs_pos_embed(&flat, d, prefix, (side, side), (want, want));
    let rows = out.len() / d;
    let t = Tensor::from_vec(out, (1, rows, d), pos.device())?;
    tensors.insert("pos_embed".into(), t);
    Ok(())
}

/// Checks names and shapes against `cfg`, naming every missing, unexpected or mis-shaped tensor.
pub fn validate(cfg: &ViTConfig, tensors: &HashMap<String, Tensor>, path: &Path) -> Result<()> {
    match LayoutDiff::new(tensors, &cfg.param_shapes()).describe() {
        None => Ok(()),
        Some(diff) => Err(EncoderError::Checkpoint {
            path: path.to_path_buf(),
            reason: format!(
                "holds {} but {} was asked for; {diff}",
                describe(tensors),
                cfg.name
            ),
        }),
    }
}

/// A ViT of architecture `cfg` from a checkpoint in any supported layout, and that layout.
pub fn load_vit(
    path: &Path,
    cfg: &ViTConfig,
    device: &Device,
) -> Result<(VisionTransformer, ViTLayout)> {
    let (mut tensors, layout) = to_timm(read_tensors(path, device)?, path)?;
    fit_pos_embed(cfg, &mut tensors)?;
    validate(cfg, &tensors, path)?;
    let vb = VarBuilder::from_tensors(tensors, DType::F32, device);
    Ok((VisionTransformer::new(cfg, vb)?, layout))
}

/// A ViT with [`random_vit_weights`].
pub fn random_vit(cfg: &ViTConfig, seed: u64, device: &Device) -> Result<VisionTransformer> {
    let tensors = random_vit_weights(cfg, seed, device)?;
    VisionTransformer::new(cfg, VarBuilder::from_tensors(tensors, DType::F32, device))
}

/// timm's initialisation, seeded, as timm-named tensors (what a checkpoint of `cfg` holds):
/// truncated-normal (std 0.02) weights and position embeddings, class/register tokens with
/// std 1e-6, zero biases, unit norms, LayerScale 1e-5.
pub fn random_vit_weights(
    cfg: &ViTConfig,
    seed: u64,
    device: &Device,
) -> Result<HashMap<String, Tensor>> {
    cfg.validate()?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let weight = Normal::new(0f32, 0.02).expect("valid std");
    let token = Normal::new(0f32, 1e-6).expect("valid std");
    let mut tensors = HashMap::new();
    for (name, shape) in cfg.param_shapes() {
        let n: usize = shape.iter().product();
        let data: Vec<f32> = if name.ends_with(".gamma") {
            vec![1e-5; n]
        } else if name.ends_with(".bias") {
            vec![0.0; n]
        } else if name == "cls_token" || name == "reg_token" {
            (0..n).map(|_| token.sample(&mut rng)).collect()
        } else if shape.len() == 1 {
            vec![1.0; n]
        } else {
            (0..n)
                .map(|_| weight.sample(&mut rng).clamp(-2.0, 2.0))
                .collect()
        };
        tensors.insert(name, Tensor::from_vec(data, shape, device)?);
    }
    Ok(tensors)
}
