//! [`ViTEncoder`]: a ViT with its readout behind the crate's [`Encoder`] trait, on the CPU fast
//! path when its weights are on the CPU and on candle's ops elsewhere (CUDA).

use crate::encoder::{Encoder, check_input};
use crate::error::Result;
use crate::vit::config::ViTConfig;
use crate::vit::cpu::CpuViT;
use crate::vit::model::VisionTransformer;
use crate::vit::readout::Readout;
use candle_core::Tensor;

enum Backend {
    Candle(VisionTransformer),
    Cpu(CpuViT),
}

/// A Vision Transformer encoder: N x 3 x H x W (H, W multiples of the patch) to N x D.
pub struct ViTEncoder {
    cfg: ViTConfig,
    readout: Readout,
    backend: Backend,
}

impl ViTEncoder {
    /// The fastest path for the model's device: the CPU kernels for CPU weights (the
    /// candle tensors are then dropped), candle's ops otherwise.
    pub fn new(model: VisionTransformer, readout: Readout) -> Result<Self> {
        readout.validate(model.config())?;
        let cfg = model.config().clone();
        let backend = if model.device().is_cpu() {
            Backend::Cpu(CpuViT::new(&model)?)
        } else {
            Backend::Candle(model)
        };
        Ok(Self {
            cfg,
            readout,
            backend,
        })
    }

    /// Always candle's ops (the reference path; also what runs on CUDA).
    pub fn with_candle_ops(model: VisionTransformer, readout: Readout) -> Result<Self> {
        readout.validate(model.config())?;
        Ok(Self {
            cfg: model.config().clone(),
            readout,
            backend: Backend::Candle(model),
        })
    }

    /// The architecture.
    pub fn config(&self) -> &ViTConfig {
        &self.cfg
    }

    /// The readout in use.
    pub fn readout(&self) -> Readout {
        self.readout
    }
}

impl Encoder for ViTEncoder {
    fn dim(&self) -> usize {
        self.readout.dim(&self.cfg)
    }

    fn features(&self, x: &Tensor) -> Result<Tensor> {
        check_input(x)?;
        match &self.backend {
            Backend::Candle(m) => m.features(x, &self.readout),
            Backend::Cpu(m) => m.features(x, &self.readout),
        }
    }
}
