//! The block MLP (`fc1`, activation, `fc2`) on any candle device.

use crate::error::Result;
use crate::vit::config::{Activation, ViTConfig};
use candle_core::{Module, Tensor};
use candle_nn::{Linear, VarBuilder, linear};

/// `mlp.fc1` and `mlp.fc2` of one block with its activation.
#[derive(Debug, Clone)]
pub struct Mlp {
    pub(crate) fc1: Linear,
    pub(crate) fc2: Linear,
    act: Activation,
}

impl Mlp {
    /// Reads `fc1.{weight,bias}` and `fc2.{weight,bias}` under `vb`.
    pub fn new(cfg: &ViTConfig, vb: VarBuilder) -> Result<Self> {
        let (d, h) = (cfg.embed_dim, cfg.mlp_hidden());
        Ok(Self {
            fc1: linear(d, h, vb.pp("fc1"))?,
            fc2: linear(h, d, vb.pp("fc2"))?,
            act: cfg.act,
        })
    }

    /// fc2(act(fc1(x))).
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let h = self.fc1.forward(x)?;
        let h = match self.act {
            Activation::Gelu => h.gelu_erf()?,
            Activation::QuickGelu => (&h * candle_nn::ops::sigmoid(&(&h * 1.702)?)?)?,
        };
        Ok(self.fc2.forward(&h)?)
    }
}
