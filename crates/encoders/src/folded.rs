//! An eval-only ResNet with every BatchNorm folded into the convolution before it.

use crate::block::ConvBn;
use crate::config::{ResNetConfig, Stem};
use crate::encoder::{Encoder, check_input};
use crate::error::Result;
use crate::resnet::ResNet;
use candle_core::Tensor;

/// A convolution with the BatchNorm folded in: `conv(x, w * s) + (b - m * s)`.
#[derive(Clone, Debug)]
struct FoldedConv {
    weight: Tensor,
    bias: Tensor,
    stride: usize,
    padding: usize,
}

impl FoldedConv {
    fn new(unit: &ConvBn) -> Result<Self> {
        let (scale, shift) = unit.bn.fold()?;
        let o = scale.elem_count();
        let weight = unit
            .weight
            .detach()
            .broadcast_mul(&scale.reshape((o, 1, 1, 1))?)?
            .contiguous()?;
        Ok(Self {
            weight,
            bias: shift.contiguous()?,
            stride: unit.stride,
            padding: unit.padding,
        })
    }

    fn forward(&self, x: &Tensor, relu: bool) -> Result<Tensor> {
        let (w, b, s, p) = (&self.weight, &self.bias, self.stride, self.padding);
        Ok(sslinv_kernels::conv2d_bias(x, w, b, s, p, relu)?)
    }
}

#[derive(Clone, Debug)]
struct FoldedBlock {
    units: Vec<FoldedConv>,
    downsample: Option<FoldedConv>,
}

/// Eval-mode ResNet whose convolutions carry the BatchNorm: fewer passes over the activations.
#[derive(Clone, Debug)]
pub struct FoldedResNet {
    config: ResNetConfig,
    stem: FoldedConv,
    blocks: Vec<FoldedBlock>,
}

impl FoldedResNet {
    /// Folds the current weights and running statistics of `net` (later changes to `net` are
    /// not seen).
    pub fn new(net: &ResNet) -> Result<Self> {
        let mut blocks = Vec::new();
        for block in net.stages.iter().flatten() {
            blocks.push(FoldedBlock {
                units: block
                    .units
                    .iter()
                    .map(FoldedConv::new)
                    .collect::<Result<_>>()?,
                downsample: block.downsample.as_ref().map(FoldedConv::new).transpose()?,
            });
        }
        Ok(Self {
            config: net.config,
            stem: FoldedConv::new(&net.stem)?,
            blocks,
        })
    }

    /// The architecture.
    pub fn config(&self) -> &ResNetConfig {
        &self.config
    }
}

impl Encoder for FoldedResNet {
    fn dim(&self) -> usize {
        self.config.dim()
    }

    fn features(&self, x: &Tensor) -> Result<Tensor> {
        check_input(x)?;
        let mut y = self.stem.forward(x, true)?;
        if self.config.stem == Stem::ImageNet {
            y = sslinv_kernels::max_pool2d(&y, 3, 2, 1)?;
        }
        for block in &self.blocks {
            let last = block.units.len() - 1;
            let mut z = y.clone();
            for (i, unit) in block.units.iter().enumerate() {
                z = unit.forward(&z, i != last)?;
            }
            let shortcut = match &block.downsample {
                Some(d) => d.forward(&y, false)?,
                None => y,
            };
            y = sslinv_kernels::add_relu(&z, &shortcut)?;
        }
        Ok(sslinv_kernels::global_avg_pool(&y)?)
    }
}
