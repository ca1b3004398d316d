//! The same operations composed from differentiable candle ops: the path on non-CPU devices and
//! other dtypes, and the baseline the custom kernels are tested and benchmarked against.

use crate::BnParams;
use crate::error::Result;
use candle_core::{D, Tensor};

/// Candle's own convolution.
pub fn conv2d(x: &Tensor, w: &Tensor, stride: usize, padding: usize) -> Result<Tensor> {
    Ok(x.conv2d(w, padding, stride, 1, 1)?)
}

/// Max-pool with -inf padding from strided `index_select`s and element-wise `maximum`.
pub fn max_pool2d(x: &Tensor, kernel: usize, stride: usize, padding: usize) -> Result<Tensor> {
    let (n, c, h, w) = x.dims4()?;
    let (oh, ow) = (
        (h + 2 * padding - kernel) / stride + 1,
        (w + 2 * padding - kernel) / stride + 1,
    );
    let padded = if padding > 0 {
        let dev = x.device();
        let rows = Tensor::full(f32::NEG_INFINITY, (n, c, padding, w), dev)?.to_dtype(x.dtype())?;
        let t = Tensor::cat(&[&rows, x, &rows], 2)?;
        let cols = Tensor::full(f32::NEG_INFINITY, (n, c, h + 2 * padding, padding), dev)?
            .to_dtype(x.dtype())?;
        Tensor::cat(&[&cols, &t, &cols], 3)?
    } else {
        x.clone()
    };
    let idx = |offset: usize, len: usize| -> Result<Tensor> {
        let v: Vec<u32> = (0..len).map(|i| (offset + i * stride) as u32).collect();
        Ok(Tensor::new(v, x.device())?)
    };
    let mut out: Option<Tensor> = None;
    for di in 0..kernel {
        let r = padded.index_select(&idx(di, oh)?, 2)?;
        for dj in 0..kernel {
            let win = r.index_select(&idx(dj, ow)?, D::Minus1)?;
            out = Some(match out {
                None => win,
                Some(acc) => acc.maximum(&win)?,
            });
        }
    }
    Ok(out.expect("kernel >= 1"))
}

/// Spatial mean.
pub fn global_avg_pool(x: &Tensor) -> Result<Tensor> {
    Ok(x.mean((2, 3))?)
}

/// Training BatchNorm from candle ops, with the PyTorch running-stat update.
pub fn batch_norm_train(x: &Tensor, bn: BnParams<'_>, relu: bool) -> Result<Tensor> {
    let (n, c, h, w) = x.dims4()?;
    let m = (n * h * w) as f64;
    let mean = x.mean_keepdim((0, 2, 3))?;
    let centred = x.broadcast_sub(&mean)?;
    let var = centred.sqr()?.mean_keepdim((0, 2, 3))?;
    let y = centred
        .broadcast_div(&(&var + bn.eps)?.sqrt()?)?
        .broadcast_mul(&bn.weight.reshape((1, c, 1, 1))?)?
        .broadcast_add(&bn.bias.reshape((1, c, 1, 1))?)?;
    let (running_mean, running_var, momentum) = (bn.running_mean, bn.running_var, bn.momentum);
    let mean_d = mean
        .detach()
        .flatten_all()?
        .to_dtype(running_mean.dtype())?;
    let var_d = (var.detach().flatten_all()? * (m / (m - 1.0)))?.to_dtype(running_var.dtype())?;
    let rm = ((running_mean.as_tensor() * (1.0 - momentum))? + (mean_d * momentum)?)?;
    let rv = ((running_var.as_tensor() * (1.0 - momentum))? + (var_d * momentum)?)?;
    running_mean.set(&rm)?;
    running_var.set(&rv)?;
    Ok(if relu { y.relu()? } else { y })
}

/// Eval BatchNorm from candle ops, with the running statistics.
pub fn batch_norm_eval(x: &Tensor, bn: BnParams<'_>, relu: bool) -> Result<Tensor> {
    let (scale, shift) = bn.scale_shift()?;
    channel_affine(x, &scale, &shift, relu)
}

/// Per-channel `x * scale + shift` by broadcasting, then ReLU if `relu`.
pub(crate) fn channel_affine(
    x: &Tensor,
    scale: &Tensor,
    shift: &Tensor,
    relu: bool,
) -> Result<Tensor> {
    let c = x.dim(1)?;
    let y = x
        .broadcast_mul(&scale.reshape((1, c, 1, 1))?)?
        .broadcast_add(&shift.reshape((1, c, 1, 1))?)?;
    Ok(if relu { y.relu()? } else { y })
}

/// `relu(a + b)`.
pub fn add_relu(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    Ok((a + b)?.relu()?)
}
