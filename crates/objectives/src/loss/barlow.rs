//! Barlow Twins' redundancy-reduction loss on the cross-correlation matrix.

use candle_core::{DType, Tensor};

use super::pair::paired_dims;
use crate::{ObjectivesError, Result};

/// The paper's weight of the off-diagonal term.
pub const BARLOW_LAMBDA: f64 = 0.0051;

/// Columns standardised over the batch with the biased variance and eps 1e-5 (as
/// `BatchNorm1d(affine=False)` in training mode).
fn standardise(z: &Tensor) -> Result<Tensor> {
    let mean = z.mean_keepdim(0)?;
    let centred = z.broadcast_sub(&mean)?;
    let var = centred.sqr()?.mean_keepdim(0)?;
    Ok(centred.broadcast_div(&(var + 1e-5)?.sqrt()?)?)
}

/// Barlow Twins: `sum_i (1 - C_ii)^2 + lambda sum_{i != j} C_ij^2` with C the D x D
/// cross-correlation of the batch-standardised embeddings `z1`, `z2` (N x D each).
pub fn barlow_twins_loss(z1: &Tensor, z2: &Tensor, lambda: f64) -> Result<Tensor> {
    let (n, d) = paired_dims(z1, z2, ("view 1", "view 2"))?;
    if n < 2 {
        return Err(ObjectivesError::Shape(format!(
            "batch of {n}: needs at least 2 for batch statistics"
        )));
    }
    let c = (standardise(z1)?
        .t()?
        .contiguous()?
        .matmul(&standardise(z2)?)?
        / n as f64)?;
    let eye = Tensor::eye(d, DType::F32, c.device())?;
    let on_diag = (&c - &eye)?.mul(&eye)?.sqr()?.sum_all()?;
    let off_diag = c.mul(&eye.affine(-1.0, 1.0)?)?.sqr()?.sum_all()?;
    Ok((on_diag + (off_diag * lambda)?)?)
}
