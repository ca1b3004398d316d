//! Log-sum-exp and cross-entropy from basic tensor ops.
//!
//! `candle_nn::ops::softmax_last_dim` has no backward in candle 0.11, so the losses build their
//! log-softmax from max/exp/sum/log, which all carry gradients.

use candle_core::{D, Tensor};

use crate::Result;

/// Row-wise `log(sum(exp(x)))` over the last dimension, keeping it (N x 1), numerically stable.
pub fn logsumexp_last(x: &Tensor) -> Result<Tensor> {
    // The shift is a constant for the gradient: d lse / dx = softmax(x) whatever m is.
    let m = x.max_keepdim(D::Minus1)?.detach();
    let sum = x.broadcast_sub(&m)?.exp()?.sum_keepdim(D::Minus1)?;
    Ok(sum.log()?.broadcast_add(&m)?)
}

/// Mean cross-entropy of logits (N x C) whose targets have logits `target_logits` (N).
pub fn cross_entropy_from_target_logits(logits: &Tensor, target_logits: &Tensor) -> Result<Tensor> {
    let lse = logsumexp_last(logits)?.squeeze(D::Minus1)?;
    Ok((lse - target_logits)?.mean_all()?)
}

/// Rows of `x` divided by their L2 norm (as `torch.nn.functional.normalize`, eps 1e-12).
pub fn l2_normalize(x: &Tensor) -> Result<Tensor> {
    let norm = x
        .sqr()?
        .sum_keepdim(D::Minus1)?
        .sqrt()?
        .clamp(1e-12f32, f32::MAX)?;
    Ok(x.broadcast_div(&norm)?)
}

/// Fraction of rows whose largest logit is at column `target[i]`.
pub fn top1_accuracy(logits: &Tensor, targets: &[u32]) -> Result<f32> {
    let pred: Vec<u32> = logits.argmax_keepdim(D::Minus1)?.flatten_all()?.to_vec1()?;
    if pred.len() != targets.len() || pred.is_empty() {
        return Err(crate::ObjectivesError::Shape(format!(
            "{} rows of logits for {} targets",
            pred.len(),
            targets.len()
        )));
    }
    let hits = pred.iter().zip(targets).filter(|(p, t)| p == t).count();
    Ok(hits as f32 / targets.len() as f32)
}
