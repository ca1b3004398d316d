//! SimCLR's NT-Xent (normalised temperature-scaled cross-entropy) loss.

use candle_core::{D, DType, Tensor};

use super::logsumexp::{cross_entropy_from_target_logits, l2_normalize};
use super::pair::paired_dims;
use crate::{ObjectivesError, Result};

/// NT-Xent loss and its logits.
pub struct NtXentOutput {
    /// Mean over the 2N anchors (scalar).
    pub loss: Tensor,
    /// 2N x 2N similarity logits with the self-similarity masked out; the positive of row i is
    /// column (i + N) mod 2N.
    pub logits: Tensor,
}

/// NT-Xent over two views `z1`, `z2` (N x D each): every sample's other view is its positive,
/// the other 2N - 2 samples are negatives (SimCLR, eq. 1).
pub fn nt_xent(z1: &Tensor, z2: &Tensor, temperature: f64) -> Result<NtXentOutput> {
    let (n, _) = paired_dims(z1, z2, ("view 1", "view 2"))?;
    if temperature <= 0.0 {
        return Err(ObjectivesError::Config(format!(
            "temperature {temperature} must be > 0"
        )));
    }
    let z = l2_normalize(&Tensor::cat(&[z1, z2], 0)?)?;
    let sim = (z.matmul(&z.t()?)? / temperature)?;
    // exp(-1e9) is exactly 0 in f32: the mask removes self-pairs from the softmax and gradient.
    let mask = (Tensor::eye(2 * n, DType::F32, z.device())? * -1e9)?;
    let logits = (sim + mask)?;
    let z1n = z.narrow(0, 0, n)?;
    let z2n = z.narrow(0, n, n)?;
    let pos = ((&z1n * &z2n)?.sum(D::Minus1)? / temperature)?;
    let target = Tensor::cat(&[&pos, &pos], 0)?;
    let loss = cross_entropy_from_target_logits(&logits, &target)?;
    Ok(NtXentOutput { loss, logits })
}
