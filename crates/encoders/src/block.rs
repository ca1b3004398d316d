//! Convolution + BatchNorm units and the two residual blocks (basic and bottleneck).

use crate::error::Result;
use crate::norm::BatchNorm;
use candle_core::Tensor;
use candle_nn::{Init, VarBuilder};

/// A bias-free convolution followed by BatchNorm, named `conv{i}`/`bn{i}` or `downsample.{0,1}`.
#[derive(Clone, Debug)]
pub struct ConvBn {
    /// Convolution weight, O x I x K x K.
    pub weight: Tensor,
    /// Stride.
    pub stride: usize,
    /// Zero padding.
    pub padding: usize,
    /// The BatchNorm after it.
    pub bn: BatchNorm,
}

impl ConvBn {
    /// Reads `conv_vb.weight` and the BatchNorm under `bn_vb`.
    pub fn new(
        cin: usize,
        cout: usize,
        kernel: usize,
        stride: usize,
        conv_vb: VarBuilder,
        bn_vb: VarBuilder,
    ) -> Result<Self> {
        let init = Init::Randn {
            mean: 0.0,
            stdev: (2.0 / (cout * kernel * kernel) as f64).sqrt(),
        };
        let weight = conv_vb.get_with_hints((cout, cin, kernel, kernel), "weight", init)?;
        Ok(Self {
            weight,
            stride,
            padding: kernel / 2,
            bn: BatchNorm::new(cout, bn_vb)?,
        })
    }

    /// The unit as the kernels' fused training ops read it.
    fn unit(&self) -> sslinv_kernels::ConvBnUnit<'_> {
        sslinv_kernels::ConvBnUnit {
            weight: &self.weight,
            stride: self.stride,
            padding: self.padding,
            bn: self.bn.params(),
        }
    }

    /// `bn(conv(x))`, then ReLU if asked.
    pub fn forward_t(&self, x: &Tensor, train: bool, relu: bool) -> Result<Tensor> {
        if train {
            // One autograd node for both: the same values, one gradient hand-over less.
            let (w, bn) = (&self.weight, self.bn.params());
            let y =
                sslinv_kernels::conv2d_batch_norm_train(x, w, self.stride, self.padding, bn, relu);
            return Ok(y?);
        }
        let y = sslinv_kernels::conv2d(x, &self.weight, self.stride, self.padding)?;
        self.bn.forward_t(&y, train, relu)
    }
}

/// A residual block: 2 (basic) or 3 (bottleneck) ConvBn units and an optional projection.
#[derive(Clone, Debug)]
pub struct Block {
    /// The main path, in order.
    pub units: Vec<ConvBn>,
    /// `downsample.0`/`downsample.1` when the shape changes.
    pub downsample: Option<ConvBn>,
}

impl Block {
    /// torchvision's BasicBlock (stride on the first 3x3) or Bottleneck (stride on the 3x3).
    pub fn new(
        cin: usize,
        width: usize,
        stride: usize,
        bottleneck: bool,
        vb: VarBuilder,
    ) -> Result<Self> {
        let cout = if bottleneck { width * 4 } else { width };
        let unit = |i: usize, a: usize, b: usize, k: usize, s: usize| {
            ConvBn::new(
                a,
                b,
                k,
                s,
                vb.pp(format!("conv{i}")),
                vb.pp(format!("bn{i}")),
            )
        };
        let units = if bottleneck {
            vec![
                unit(1, cin, width, 1, 1)?,
                unit(2, width, width, 3, stride)?,
                unit(3, width, cout, 1, 1)?,
            ]
        } else {
            vec![
                unit(1, cin, width, 3, stride)?,
                unit(2, width, width, 3, 1)?,
            ]
        };
        let downsample = if stride != 1 || cin != cout {
            let d = vb.pp("downsample");
            Some(ConvBn::new(cin, cout, 1, stride, d.pp("0"), d.pp("1"))?)
        } else {
            None
        };
        Ok(Self { units, downsample })
    }

    /// Whether training runs the block as one node (`residual_block_train`): where its input
    /// has at least as many values as its weights. There the activations' gradient hand-overs
    /// it saves dominate; where the weights are larger (the last stages at small batches) the
    /// fused block measured slower (width-64 ResNet-18 training step, batch 64: 4 % slower fused
    /// everywhere; this rule: +3.5 % on it, +2.5 % at width 16, +3.7 % for the demo's MoCo v2
    /// step on one core, against fusing every block). Both give the same values.
    fn fuse_in_training(&self, x: &Tensor) -> bool {
        let weights: usize = self.units.iter().map(|u| u.weight.elem_count()).sum();
        x.elem_count() >= weights
    }

    /// `relu(main(x) + shortcut(x))`.
    pub fn forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        if train && self.fuse_in_training(x) {
            // One autograd node for the whole block: the same values, four gradient hand-overs
            // through candle's backward fewer.
            let units: Vec<_> = self.units.iter().map(ConvBn::unit).collect();
            let downsample = self.downsample.as_ref().map(ConvBn::unit);
            return Ok(sslinv_kernels::residual_block_train(x, &units, downsample)?);
        }
        let last = self.units.len() - 1;
        let mut y = x.clone();
        for (i, unit) in self.units.iter().enumerate() {
            y = unit.forward_t(&y, train, i != last)?;
        }
        let shortcut = match &self.downsample {
            Some(d) => d.forward_t(x, train, false)?,
            None => x.clone(),
        };
        Ok(sslinv_kernels::add_relu(&y, &shortcut)?)
    }
}
