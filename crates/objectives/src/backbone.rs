//! What the training loop needs from a backbone network.

use candle_core::{Tensor, Var};

use crate::{Head, Result};

/// A trainable backbone: pooled N x D features, train-mode BatchNorm, named variables.
pub trait Backbone: Send {
    /// Feature dimension D.
    fn dim(&self) -> usize;
    /// Pooled features; `train` uses batch statistics and updates BN running statistics.
    fn forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor>;
    /// Every variable with its torchvision name, BN running statistics included, sorted by name.
    fn named_vars(&self) -> Vec<(String, Var)>;
}

/// True for BN running statistics, which are state rather than parameters (no gradient, no
/// weight decay, no EMA: MoCo's momentum update covers `parameters()` only).
pub fn is_buffer(name: &str) -> bool {
    name.ends_with("running_mean")
        || name.ends_with("running_var")
        || name.ends_with("num_batches_tracked")
}

/// The trainable parameters of a backbone, in name order.
pub fn parameters<B: Backbone + ?Sized>(b: &B) -> Vec<Var> {
    b.named_vars()
        .into_iter()
        .filter(|(n, _)| !is_buffer(n))
        .map(|(_, v)| v)
        .collect()
}

/// Forward pass and projection head in `splits` consecutive sub-batches, each with its own BN
/// statistics (one device's share of a data-parallel batch), concatenated back in order.
///
/// The head runs per sub-batch too, as it does on each rank: its weight gradient is then a sum
/// of per-sub-batch products, added in the order an all-reduce adds the ranks' (one product
/// over the whole batch sums its rows in another order, a last-bit difference that a ReLU
/// flipping a few steps later can turn into a visible one).
pub fn forward_split<B: Backbone + ?Sized>(
    b: &B,
    head: &Head,
    x: &Tensor,
    splits: usize,
) -> Result<Tensor> {
    let n = x.dim(0)?;
    let splits = splits.clamp(1, n.max(1));
    if splits == 1 {
        return head.forward(&b.forward_t(x, true)?);
    }
    let mut parts = Vec::with_capacity(splits);
    let mut start = 0;
    for i in 0..splits {
        let len = (n - start) / (splits - i);
        parts.push(head.forward(&b.forward_t(&x.narrow(0, start, len)?, true)?)?);
        start += len;
    }
    Ok(Tensor::cat(&parts, 0)?)
}

/// Copies every variable (parameters and running statistics) of `from` into `to`.
pub fn copy_vars<B: Backbone + ?Sized>(to: &B, from: &B) -> Result<()> {
    let src = from.named_vars();
    let dst = to.named_vars();
    if src.len() != dst.len() {
        return Err(crate::ObjectivesError::Shape(format!(
            "copying {} variables into {}",
            src.len(),
            dst.len()
        )));
    }
    for ((ns, s), (nd, d)) in src.iter().zip(&dst) {
        if ns != nd || s.dims() != d.dims() {
            return Err(crate::ObjectivesError::Shape(format!(
                "copying {ns} {:?} into {nd} {:?}",
                s.dims(),
                d.dims()
            )));
        }
        d.set(s.as_tensor())?;
    }
    Ok(())
}
