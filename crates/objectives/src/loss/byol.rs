//! BYOL's normalised regression loss.

use candle_core::{D, Tensor};

use super::logsumexp::l2_normalize;
use super::pair::paired_dims;
use crate::Result;

/// Mean over the batch of `2 - 2 cos(p, z)` for predictions `p` and target projections `z`
/// (N x D each); `z` is detached (the target network gets no gradient).
///
/// BYOL symmetrises by adding the loss with the views swapped; call this twice.
pub fn byol_loss(p: &Tensor, z: &Tensor) -> Result<Tensor> {
    paired_dims(p, z, ("predictions", "targets"))?;
    let p = l2_normalize(p)?;
    let z = l2_normalize(&z.detach())?.detach();
    let cos = (p * z)?.sum(D::Minus1)?;
    Ok(cos.affine(-2.0, 2.0)?.mean_all()?)
}
