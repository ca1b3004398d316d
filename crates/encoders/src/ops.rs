//! The tensor operations the ResNet is built from, with the `sslinv-kernels` signatures.
//!
//! Built on differentiable candle ops so training gets correct gradients on every device; the
//! max-pool comes from [`crate::pool`] because candle's own has no padding and a wrong backward.

use crate::error::Result;
use candle_core::{Tensor, Var};

/// NCHW convolution without bias, groups 1.
pub fn conv2d(x: &Tensor, w: &Tensor, stride: usize, padding: usize) -> Result<Tensor> {
    let (o, c, kh, kw) = w.dims4()?;
    if (kh, kw, stride, padding) == (1, 1, 1, 0) {
        // A 1x1 convolution is one matmul per image; candle's conv path adds copies around it
        // (measured 1.5-2x slower on ResNet-50's 56x56 bottleneck convolutions).
        let (n, _, h, wd) = x.dims4()?;
        let y = w
            .reshape((o, c))?
            .broadcast_matmul(&x.reshape((n, c, h * wd))?)?;
        return Ok(y.reshape((n, o, h, wd))?);
    }
    Ok(x.conv2d(w, padding, stride, 1, 1)?)
}

/// Max-pool with PyTorch semantics (padding never wins).
pub fn max_pool2d(x: &Tensor, kernel: usize, stride: usize, padding: usize) -> Result<Tensor> {
    crate::pool::max_pool2d(x, kernel, stride, padding)
}

/// Mean over the spatial dimensions: N x C x H x W -> N x C.
pub fn global_avg_pool(x: &Tensor) -> Result<Tensor> {
    Ok(x.mean((2, 3))?)
}

/// Element-wise `max(x, 0)`.
pub fn relu(x: &Tensor) -> Result<Tensor> {
    Ok(x.relu()?)
}

/// `relu(a + b)`: the end of a residual block.
pub fn add_relu(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    Ok((a + b)?.relu()?)
}

fn per_channel(t: &Tensor) -> Result<Tensor> {
    Ok(t.reshape((1, t.elem_count(), 1, 1))?)
}

/// BatchNorm with running statistics (eval mode), optionally followed by ReLU.
pub fn batch_norm_eval(
    x: &Tensor,
    weight: &Tensor,
    bias: &Tensor,
    mean: &Tensor,
    var: &Tensor,
    eps: f64,
    relu: bool,
) -> Result<Tensor> {
    let scale = (weight / (var + eps)?.sqrt()?)?;
    let shift = (bias - (mean * &scale)?)?;
    let y = x
        .broadcast_mul(&per_channel(&scale)?)?
        .broadcast_add(&per_channel(&shift)?)?;
    Ok(if relu { y.relu()? } else { y })
}

/// BatchNorm with batch statistics (train mode), optionally followed by ReLU; updates the
/// running statistics as PyTorch does (unbiased batch variance for `running_var`).
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_train(
    x: &Tensor,
    weight: &Tensor,
    bias: &Tensor,
    running_mean: &Var,
    running_var: &Var,
    momentum: f64,
    eps: f64,
    relu: bool,
) -> Result<Tensor> {
    let (n, _, h, w) = x.dims4()?;
    let count = n * h * w;
    let mean = x.mean_keepdim((0, 2, 3))?;
    let centred = x.broadcast_sub(&mean)?;
    let var = centred.sqr()?.mean_keepdim((0, 2, 3))?;
    let inv_std = (var.clone() + eps)?.sqrt()?.recip()?;
    let y = centred
        .broadcast_mul(&inv_std)?
        .broadcast_mul(&per_channel(weight)?)?
        .broadcast_add(&per_channel(bias)?)?;
    let unbiased = if count > 1 {
        count as f64 / (count - 1) as f64
    } else {
        1.0
    };
    let batch_mean = mean.flatten_all()?.detach();
    let batch_var = (var.flatten_all()?.detach() * unbiased)?;
    running_mean.set(
        &((running_mean.as_tensor().detach() * (1.0 - momentum))? + (batch_mean * momentum)?)?,
    )?;
    running_var.set(
        &((running_var.as_tensor().detach() * (1.0 - momentum))? + (batch_var * momentum)?)?,
    )?;
    Ok(if relu { y.relu()? } else { y })
}
