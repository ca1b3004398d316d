//! One pre-norm transformer block as timm's `Block`: `x + ls1(attn(norm1(x)))`, then
//! `x + ls2(mlp(norm2(x)))`, LayerScale only where the model has it (DINOv2).

use crate::error::Result;
use crate::vit::attention::Attention;
use crate::vit::config::ViTConfig;
use crate::vit::mlp::Mlp;
use candle_core::{Module, Tensor};
use candle_nn::{LayerNorm, VarBuilder, layer_norm};

/// A timm ViT block.
#[derive(Debug, Clone)]
pub struct Block {
    pub(crate) norm1: LayerNorm,
    pub(crate) attn: Attention,
    pub(crate) ls1: Option<Tensor>,
    pub(crate) norm2: LayerNorm,
    pub(crate) mlp: Mlp,
    pub(crate) ls2: Option<Tensor>,
}

impl Block {
    /// Reads block `blocks.{i}` under `vb` (already prefixed).
    pub fn new(cfg: &ViTConfig, vb: VarBuilder) -> Result<Self> {
        let d = cfg.embed_dim;
        let ls = |name: &str| -> Result<Option<Tensor>> {
            Ok(if cfg.layer_scale {
                Some(vb.pp(name).get(d, "gamma")?)
            } else {
                None
            })
        };
        Ok(Self {
            norm1: layer_norm(d, cfg.norm_eps, vb.pp("norm1"))?,
            attn: Attention::new(cfg, vb.pp("attn"))?,
            ls1: ls("ls1")?,
            norm2: layer_norm(d, cfg.norm_eps, vb.pp("norm2"))?,
            mlp: Mlp::new(cfg, vb.pp("mlp"))?,
            ls2: ls("ls2")?,
        })
    }

    /// The block applied to B x T x D tokens.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let scale = |y: Tensor, ls: &Option<Tensor>| -> Result<Tensor> {
            Ok(match ls {
                Some(g) => y.broadcast_mul(g)?,
                None => y,
            })
        };
        let y = scale(self.attn.forward(&self.norm1.forward(x)?)?, &self.ls1)?;
        let x = (x + y)?;
        let y = scale(self.mlp.forward(&self.norm2.forward(&x)?)?, &self.ls2)?;
        Ok((x + y)?)
    }
}
