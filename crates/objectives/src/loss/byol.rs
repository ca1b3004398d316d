//! BYOL's normalised regression loss.

use candle_core::{D, Tensor};

use super::logsumexp::l2_normalize;
use crate::{ObjectivesError, Result};

/// Mean over the batch of `2 - 2 cos(p, z)` for predictions `p` and target projections `z`
/// (N x D each); `z` is detached (the target network gets no gradient).
///
/// BYOL symmetrises by adding the loss with the views swapped; call this twice.
pub fn byol_loss(p: &Tensor, z: &Tensor) -> Result<Tensor> {
    if p.dims2()? != z.dims2()? {
        return Err(ObjectivesError::Shape(format!(
            "predictions {:?} vs targets {:?}",
            p.dims(),
            z.dims()
        )));
    }
    let p = l2_normalize(p)?;
    let z = l2_normalize(&z.detach())?.detach();
    let cos = (p * z)?.sum(D::Minus1)?;
    Ok(cos.affine(-2.0, 2.0)?.mean_all()?)
}
