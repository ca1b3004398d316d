//! Multi-head self-attention as timm's `Attention` (fused `qkv` projection, no q/k norm),
//! on any candle device.

use crate::error::Result;
use crate::vit::config::ViTConfig;
use candle_core::{Module, Tensor};
use candle_nn::{Linear, VarBuilder, linear};

/// `attn.qkv` and `attn.proj` of one block.
#[derive(Debug, Clone)]
pub struct Attention {
    pub(crate) qkv: Linear,
    pub(crate) proj: Linear,
    heads: usize,
    scale: f64,
}

impl Attention {
    /// Reads `qkv.{weight,bias}` and `proj.{weight,bias}` under `vb`.
    pub fn new(cfg: &ViTConfig, vb: VarBuilder) -> Result<Self> {
        let d = cfg.embed_dim;
        Ok(Self {
            qkv: linear(d, 3 * d, vb.pp("qkv"))?,
            proj: linear(d, d, vb.pp("proj"))?,
            heads: cfg.num_heads,
            scale: (cfg.head_dim() as f64).powf(-0.5),
        })
    }

    /// softmax(q k^T / sqrt(head_dim)) v over the tokens of each image, B x T x D in and out.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (b, t, d) = x.dims3()?;
        let qkv = self
            .qkv
            .forward(x)?
            .reshape((b, t, 3, self.heads, d / self.heads))?
            .permute((2, 0, 3, 1, 4))?;
        let q = qkv.get(0)?.contiguous()?;
        let k = qkv.get(1)?.contiguous()?;
        let v = qkv.get(2)?.contiguous()?;
        let scores = (q.matmul(&k.t()?.contiguous()?)? * self.scale)?;
        let attn = candle_nn::ops::softmax_last_dim(&scores)?;
        let out = attn.matmul(&v)?.transpose(1, 2)?.reshape((b, t, d))?;
        Ok(self.proj.forward(&out)?)
    }
}
