//! MoCo's InfoNCE loss with a queue of negative keys.

use candle_core::{D, Tensor};

use super::logsumexp::{cross_entropy_from_target_logits, l2_normalize};
use super::pair::paired_dims;
use crate::{ObjectivesError, Result};

/// InfoNCE loss and the logits it was computed from (column 0 holds the positives).
pub struct InfoNceOutput {
    /// Mean cross-entropy with the positive key as the target (scalar).
    pub loss: Tensor,
    /// N x (1 + K) logits, already divided by the temperature.
    pub logits: Tensor,
}

/// MoCo InfoNCE: queries `q` (N x D) against their keys `k` (N x D) and the queue (K x D).
///
/// `q` and `k` are L2-normalised here (MoCo normalises the head outputs); the queue holds keys
/// that are already normalised. Keys and queue are detached: only the query gets gradients.
pub fn info_nce(q: &Tensor, k: &Tensor, queue: &Tensor, temperature: f64) -> Result<InfoNceOutput> {
    let (_, d) = paired_dims(q, k, ("queries", "keys"))?;
    if queue.dims2()?.1 != d {
        return Err(ObjectivesError::Shape(format!(
            "queue {:?} for dim {d}",
            queue.dims()
        )));
    }
    if temperature <= 0.0 {
        return Err(ObjectivesError::Config(format!(
            "temperature {temperature} must be > 0"
        )));
    }
    let q = l2_normalize(q)?;
    let k = l2_normalize(&k.detach())?.detach();
    let l_pos = (&q * &k)?.sum_keepdim(D::Minus1)?;
    let l_neg = q.matmul(&queue.detach().t()?.contiguous()?)?;
    let logits = (Tensor::cat(&[&l_pos, &l_neg], 1)? / temperature)?;
    let target = logits.narrow(1, 0, 1)?.squeeze(1)?;
    let loss = cross_entropy_from_target_logits(&logits, &target)?;
    Ok(InfoNceOutput { loss, logits })
}
