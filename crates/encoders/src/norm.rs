//! BatchNorm layer with running statistics held as `Var`s (updated in train mode).

use crate::error::Result;
use candle_core::{Tensor, Var};
use candle_nn::{Init, VarBuilder};

/// PyTorch's BatchNorm2d defaults.
pub const BN_EPS: f64 = 1e-5;
/// PyTorch's running-statistics momentum.
pub const BN_MOMENTUM: f64 = 0.1;

/// A 2-D BatchNorm (`weight`, `bias`, `running_mean`, `running_var`).
#[derive(Clone, Debug)]
pub struct BatchNorm {
    /// Scale (gamma).
    pub weight: Tensor,
    /// Shift (beta).
    pub bias: Tensor,
    /// Running mean.
    pub running_mean: Var,
    /// Running (unbiased) variance.
    pub running_var: Var,
}

impl BatchNorm {
    /// Reads or creates the four tensors under `vb` (running stats become `Var`s shared with a
    /// `VarMap` when the builder is backed by one).
    pub fn new(channels: usize, vb: VarBuilder) -> Result<Self> {
        let weight = vb.get_with_hints(channels, "weight", Init::Const(1.0))?;
        let bias = vb.get_with_hints(channels, "bias", Init::Const(0.0))?;
        let mean = vb.get_with_hints(channels, "running_mean", Init::Const(0.0))?;
        let var = vb.get_with_hints(channels, "running_var", Init::Const(1.0))?;
        Ok(Self {
            weight,
            bias,
            running_mean: Var::from_tensor(&mean)?,
            running_var: Var::from_tensor(&var)?,
        })
    }

    /// Normalises `x` (batch statistics and a running-stat update when `train`), then ReLU if asked.
    pub fn forward_t(&self, x: &Tensor, train: bool, relu: bool) -> Result<Tensor> {
        let bn = self.params();
        Ok(if train {
            sslinv_kernels::batch_norm_train(x, bn, relu)?
        } else {
            sslinv_kernels::batch_norm_eval(x, bn, relu)?
        })
    }

    /// The layer as the kernels read it, with PyTorch's momentum and epsilon.
    pub fn params(&self) -> sslinv_kernels::BnParams<'_> {
        sslinv_kernels::BnParams {
            weight: &self.weight,
            bias: &self.bias,
            running_mean: &self.running_mean,
            running_var: &self.running_var,
            momentum: BN_MOMENTUM,
            eps: BN_EPS,
        }
    }

    /// Per-channel `(scale, shift)` with `bn(y) = y * scale + shift` in eval mode.
    pub fn fold(&self) -> Result<(Tensor, Tensor)> {
        let var = self.running_var.as_tensor().detach();
        let scale = (self.weight.detach() / (var + BN_EPS)?.sqrt()?)?;
        let shift = (self.bias.detach() - (self.running_mean.as_tensor().detach() * &scale)?)?;
        Ok((scale, shift))
    }
}
