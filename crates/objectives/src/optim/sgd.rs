//! SGD with momentum and weight decay, step for step as `torch.optim.SGD` (no dampening, no
//! Nesterov), optionally with LARS layer-wise trust ratios as the BYOL / Barlow Twins code.

use candle_core::backprop::GradStore;
use candle_core::{DType, Tensor, Var};
use sslinv_kernels::{SgdStep, sgd_update};

use crate::{ObjectivesError, Result};

/// SGD over a fixed list of parameters, with one momentum buffer each.
pub struct Sgd {
    params: Vec<Var>,
    buffers: Vec<Option<Tensor>>,
    /// Learning rate of the next step (set it from a schedule before each step).
    pub lr: f64,
    momentum: f64,
    weight_decay: f64,
    lars_eta: Option<f64>,
}

/// Biases and norm parameters (one non-trivial axis): LARS skips their decay and trust ratio.
fn is_vector(v: &Var) -> bool {
    v.dims().iter().filter(|&&d| d > 1).count() <= 1
}

impl Sgd {
    /// A new optimiser; `momentum` in [0, 1), `weight_decay` >= 0.
    pub fn new(params: Vec<Var>, lr: f64, momentum: f64, weight_decay: f64) -> Result<Self> {
        if !(0.0..1.0).contains(&momentum) || weight_decay < 0.0 || lr < 0.0 {
            return Err(ObjectivesError::Config(format!(
                "SGD needs lr >= 0, 0 <= momentum < 1, weight_decay >= 0 (got {lr}, {momentum}, {weight_decay})"
            )));
        }
        let buffers = vec![None; params.len()];
        Ok(Self {
            params,
            buffers,
            lr,
            momentum,
            weight_decay,
            lars_eta: None,
        })
    }

    /// Turns on LARS with trust coefficient `eta` (0.001 in SimCLR, BYOL, Barlow Twins): for
    /// weight matrices and kernels the decayed gradient d is scaled by `eta |p| / |d|`; biases
    /// and norm parameters get neither weight decay nor the scaling.
    pub fn with_lars(mut self, eta: f64) -> Self {
        self.lars_eta = (eta > 0.0).then_some(eta);
        self
    }

    /// The parameters, in the order of the momentum buffers.
    pub fn params(&self) -> &[Var] {
        &self.params
    }

    /// One update: `d = g + wd p; b = m b + d (b = d on the first step); p -= lr b`, in place,
    /// one parallel pass per parameter (`sslinv_kernels::sgd_update`).
    ///
    /// Parameters without a gradient are left alone, as PyTorch does for `grad is None`.
    pub fn step(&mut self, grads: &GradStore) -> Result<()> {
        for (param, buffer) in self.params.iter().zip(self.buffers.iter_mut()) {
            let Some(grad) = grads.get(param.as_tensor()) else {
                continue;
            };
            let vector = self.lars_eta.is_some() && is_vector(param);
            let weight_decay = if vector { 0.0 } else { self.weight_decay };
            let mut scale = 1.0;
            if let (Some(eta), false) = (self.lars_eta, vector) {
                let p = param.as_tensor().detach();
                let d = (grad.detach() + (&p * weight_decay)?)?;
                let norm = |t: &Tensor| -> Result<f64> {
                    Ok(t.sqr()?
                        .sum_all()?
                        .sqrt()?
                        .to_dtype(DType::F64)?
                        .to_scalar::<f64>()?)
                };
                let (p_norm, d_norm) = (norm(&p)?, norm(&d)?);
                if p_norm > 0.0 && d_norm > 0.0 {
                    scale = eta * p_norm / d_norm;
                }
            }
            let h = SgdStep {
                lr: self.lr,
                momentum: self.momentum,
                weight_decay,
                scale,
            };
            // The new buffer is a fresh tensor with no autograd history, so it never keeps the
            // previous steps' activations alive.
            *buffer =
                sgd_update(param, grad, buffer.as_ref(), h).map_err(candle_core::Error::from)?;
        }
        Ok(())
    }

    /// The momentum buffers (None before a parameter's first step), for checkpoints.
    pub fn buffers(&self) -> &[Option<Tensor>] {
        &self.buffers
    }

    /// Restores momentum buffers saved with [`Sgd::buffers`].
    pub fn set_buffers(&mut self, buffers: Vec<Option<Tensor>>) -> Result<()> {
        if buffers.len() != self.params.len() {
            return Err(ObjectivesError::Shape(format!(
                "{} momentum buffers for {} parameters",
                buffers.len(),
                self.params.len()
            )));
        }
        for (b, p) in buffers.iter().zip(&self.params) {
            if let Some(b) = b
                && b.dims() != p.dims()
            {
                return Err(ObjectivesError::Shape(format!(
                    "buffer {:?} for parameter {:?}",
                    b.dims(),
                    p.dims()
                )));
            }
        }
        self.buffers = buffers;
        Ok(())
    }
}
