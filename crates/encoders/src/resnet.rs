//! The ResNet backbone in torchvision layout (fc removed), train and eval mode.

use crate::block::{Block, ConvBn};
use crate::config::{ResNetConfig, Stem};
use crate::encoder::{Encoder, check_input};
use crate::error::Result;
use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};

/// A ResNet without its classifier: stem, four stages, global average pool.
#[derive(Clone, Debug)]
pub struct ResNet {
    /// Architecture it was built for.
    pub config: ResNetConfig,
    /// `conv1` + `bn1`.
    pub stem: ConvBn,
    /// `layer1` .. `layer4`.
    pub stages: Vec<Vec<Block>>,
}

impl ResNet {
    /// A network on `device` whose weights are new variables (candle's default initialisation)
    /// in the returned map, for an optimiser or a gradient check.
    pub fn trainable(config: &ResNetConfig, device: &Device) -> Result<(Self, VarMap)> {
        let varmap = VarMap::new();
        let net = Self::new(config, VarBuilder::from_varmap(&varmap, DType::F32, device))?;
        Ok((net, varmap))
    }

    /// Builds the network reading (or creating, from a `VarMap`) tensors with torchvision names.
    pub fn new(config: &ResNetConfig, vb: VarBuilder) -> Result<Self> {
        let c0 = config.stem_width();
        let stem = match config.stem {
            Stem::ImageNet => ConvBn::new(3, c0, 7, 2, vb.pp("conv1"), vb.pp("bn1"))?,
            Stem::Cifar => ConvBn::new(3, c0, 3, 1, vb.pp("conv1"), vb.pp("bn1"))?,
        };
        let mut cin = c0;
        let mut stages = Vec::with_capacity(4);
        for (i, &n) in config.arch.layers().iter().enumerate() {
            let svb = vb.pp(format!("layer{}", i + 1));
            let width = config.stage_width(i);
            let mut blocks = Vec::with_capacity(n);
            for b in 0..n {
                let stride = if b == 0 && i > 0 { 2 } else { 1 };
                blocks.push(Block::new(
                    cin,
                    width,
                    stride,
                    config.arch.bottleneck(),
                    svb.pp(b.to_string()),
                )?);
                cin = config.stage_out(i);
            }
            stages.push(blocks);
        }
        Ok(Self {
            config: *config,
            stem,
            stages,
        })
    }

    /// Pooled feature dimension.
    pub fn dim(&self) -> usize {
        self.config.dim()
    }

    fn stem_forward(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let y = self.stem.forward_t(x, train, true)?;
        match self.config.stem {
            Stem::ImageNet => Ok(sslinv_kernels::max_pool2d(&y, 3, 2, 1)?),
            Stem::Cifar => Ok(y),
        }
    }

    /// The feature maps after each of the four stages (N x C_i x H_i x W_i).
    pub fn forward_stages(&self, x: &Tensor, train: bool) -> Result<Vec<Tensor>> {
        check_input(x)?;
        let mut y = self.stem_forward(x, train)?;
        let mut out = Vec::with_capacity(4);
        for stage in &self.stages {
            for block in stage {
                y = block.forward_t(&y, train)?;
            }
            out.push(y.clone());
        }
        Ok(out)
    }

    /// Pooled features (N x D); `train` uses batch statistics and updates the running ones.
    pub fn forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let maps = self.forward_stages(x, train)?;
        Ok(sslinv_kernels::global_avg_pool(&maps[3])?)
    }
}

impl Encoder for ResNet {
    fn dim(&self) -> usize {
        self.config.dim()
    }

    fn features(&self, x: &Tensor) -> Result<Tensor> {
        self.forward_t(x, false)
    }
}
