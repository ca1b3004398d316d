//! The tensor operations the ResNet is built from: the `sslinv-kernels` functions (fast CPU
//! custom ops with hand-written backward passes, candle-op fallbacks elsewhere), with this
//! crate's error type.

use crate::error::Result;
use candle_core::{Tensor, Var};

/// NCHW convolution without bias, groups 1.
pub fn conv2d(x: &Tensor, w: &Tensor, stride: usize, padding: usize) -> Result<Tensor> {
    Ok(sslinv_kernels::conv2d(x, w, stride, padding)?)
}

/// Convolution plus a per-output-channel bias (`b`: C_out), then ReLU if asked: a convolution
/// with its BatchNorm folded in.
pub fn conv2d_bias(
    x: &Tensor,
    w: &Tensor,
    b: &Tensor,
    stride: usize,
    padding: usize,
    relu: bool,
) -> Result<Tensor> {
    Ok(if relu {
        sslinv_kernels::conv2d_bias_relu(x, w, b, stride, padding)?
    } else {
        sslinv_kernels::conv2d_bias(x, w, b, stride, padding)?
    })
}

/// Max-pool with PyTorch semantics (padding never wins, correct gradient).
pub fn max_pool2d(x: &Tensor, kernel: usize, stride: usize, padding: usize) -> Result<Tensor> {
    Ok(sslinv_kernels::max_pool2d(x, kernel, stride, padding)?)
}

/// Mean over the spatial dimensions: N x C x H x W -> N x C.
pub fn global_avg_pool(x: &Tensor) -> Result<Tensor> {
    Ok(sslinv_kernels::global_avg_pool(x)?)
}

/// Element-wise `max(x, 0)`.
pub fn relu(x: &Tensor) -> Result<Tensor> {
    Ok(sslinv_kernels::relu(x)?)
}

/// `relu(a + b)`: the end of a residual block.
pub fn add_relu(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    Ok(sslinv_kernels::add_relu(a, b)?)
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
    Ok(sslinv_kernels::batch_norm_eval(
        x, weight, bias, mean, var, eps, relu,
    )?)
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
    Ok(sslinv_kernels::batch_norm_train(
        x,
        weight,
        bias,
        running_mean,
        running_var,
        momentum,
        eps,
        relu,
    )?)
}
