//! Patch embedding: timm's stride-p convolution `patch_embed.proj`, computed as one GEMM over
//! the flattened non-overlapping patches (the same sums, in (channel, row, column) order).

use crate::error::{EncoderError, Result};
use crate::vit::config::ViTConfig;
use candle_core::Tensor;
use candle_nn::VarBuilder;

/// `patch_embed.proj` as a D x (3 p p) matrix and its bias (absent for CLIP).
#[derive(Debug, Clone)]
pub struct PatchEmbed {
    pub(crate) weight: Tensor,
    pub(crate) bias: Option<Tensor>,
    patch: usize,
}

/// The patch grid of an `h x w` input; timm (without `dynamic_img_pad`) requires both sides to
/// be multiples of the patch size.
pub fn patch_grid(cfg: &ViTConfig, h: usize, w: usize) -> Result<(usize, usize)> {
    let p = cfg.patch_size;
    if h < p || w < p || !h.is_multiple_of(p) || !w.is_multiple_of(p) {
        return Err(EncoderError::Spec {
            spec: cfg.name.clone(),
            reason: format!(
                "input {h}x{w} is not a whole number of {p}x{p} patches (crop to a multiple of {p})"
            ),
        });
    }
    Ok((h / p, w / p))
}

impl PatchEmbed {
    /// Reads `weight` (D x 3 x p x p) and, unless the model is pre-norm, `bias` under `vb`.
    pub fn new(cfg: &ViTConfig, vb: VarBuilder) -> Result<Self> {
        let (d, p) = (cfg.embed_dim, cfg.patch_size);
        let weight = vb.get((d, 3, p, p), "weight")?.reshape((d, 3 * p * p))?;
        let bias = if cfg.pre_norm {
            None
        } else {
            Some(vb.get(d, "bias")?)
        };
        Ok(Self {
            weight,
            bias,
            patch: p,
        })
    }

    /// B x 3 x H x W images to B x (H/p * W/p) x D patch tokens in row-major grid order.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (b, c, h, w) = x.dims4()?;
        let p = self.patch;
        let (gh, gw) = (h / p, w / p);
        let cols = x
            .reshape((b, c, gh, p, gw, p))?
            .permute((0, 2, 4, 1, 3, 5))?
            .contiguous()?
            .reshape((b * gh * gw, c * p * p))?;
        let mut y = cols.matmul(&self.weight.t()?)?;
        if let Some(bias) = &self.bias {
            y = y.broadcast_add(bias)?;
        }
        Ok(y.reshape((b, gh * gw, self.weight.dim(0)?))?)
    }
}
