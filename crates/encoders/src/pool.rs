//! Max-pooling with padding and a correct gradient, built from differentiable candle ops.
//!
//! candle 0.11's `max_pool2d` takes no padding, has no backward when kernel != stride and scales
//! the gradient wrongly when kernel == stride, so the ResNet stem's 3x3/2 pool is composed here
//! from strided `index_select`s and element-wise `maximum`, whose gradients candle gets right.

use crate::error::Result;
use candle_core::{D, DType, Tensor};

/// Max-pool over `kernel` x `kernel` windows with `stride` and `padding`, as PyTorch (padding
/// never wins the max).
pub fn max_pool2d(x: &Tensor, kernel: usize, stride: usize, padding: usize) -> Result<Tensor> {
    let (_, _, h, w) = x.dims4()?;
    let out_h = (h + 2 * padding - kernel) / stride + 1;
    let out_w = (w + 2 * padding - kernel) / stride + 1;
    // Shift values to >= 1 so zero padding can never be the maximum, then shift back.
    let shift = (x
        .flatten_all()?
        .min(0)?
        .to_dtype(DType::F64)?
        .to_scalar::<f64>()?
        - 1.0)
        .min(0.0);
    let shifted = (x - shift)?;
    let padded = shifted
        .pad_with_zeros(2, padding, padding)?
        .pad_with_zeros(3, padding, padding)?;
    let device = x.device();
    let rows = |offset: usize, n: usize| -> Result<Tensor> {
        let idx: Vec<u32> = (0..n).map(|i| (offset + i * stride) as u32).collect();
        Ok(Tensor::new(idx, device)?)
    };
    let mut out: Option<Tensor> = None;
    for di in 0..kernel {
        let r = padded.index_select(&rows(di, out_h)?, 2)?;
        for dj in 0..kernel {
            let window = r.index_select(&rows(dj, out_w)?, D::Minus1)?;
            out = Some(match out {
                None => window,
                Some(acc) => acc.maximum(&window)?,
            });
        }
    }
    let pooled = out.expect("kernel >= 1 gives at least one window");
    Ok((pooled + shift)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    fn reference(x: &[f32], h: usize, w: usize, k: usize, s: usize, p: usize) -> Vec<(f32, usize)> {
        let (oh, ow) = ((h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1);
        let mut out = Vec::new();
        for i in 0..oh {
            for j in 0..ow {
                let mut best = (f32::NEG_INFINITY, 0);
                for di in 0..k {
                    for dj in 0..k {
                        let (y, xx) = (
                            (i * s + di) as isize - p as isize,
                            (j * s + dj) as isize - p as isize,
                        );
                        if y >= 0 && xx >= 0 && (y as usize) < h && (xx as usize) < w {
                            let idx = y as usize * w + xx as usize;
                            if x[idx] > best.0 {
                                best = (x[idx], idx);
                            }
                        }
                    }
                }
                out.push(best);
            }
        }
        out
    }

    #[test]
    fn matches_pytorch_semantics_forwards_and_backwards() -> Result<()> {
        let (h, w) = (7, 6);
        // Distinct values, negatives included, so padding must not win.
        let data: Vec<f32> = (0..h * w).map(|i| ((i * 37 % 41) as f32) - 30.0).collect();
        let x = Var::from_vec(data.clone(), (1, 1, h, w), &Device::Cpu)?;
        let y = max_pool2d(x.as_tensor(), 3, 2, 1)?;
        let want = reference(&data, h, w, 3, 2, 1);
        let got = y.flatten_all()?.to_vec1::<f32>()?;
        assert_eq!(got, want.iter().map(|b| b.0).collect::<Vec<_>>());
        // The gradient of the sum goes to each window's argmax, counted once per window.
        let grads = y.sum_all()?.backward()?;
        let g = grads.get(&x).unwrap().flatten_all()?.to_vec1::<f32>()?;
        let mut expected = vec![0f32; h * w];
        for (_, idx) in want {
            expected[idx] += 1.0;
        }
        assert_eq!(g, expected);
        Ok(())
    }

    #[test]
    fn gradient_matches_finite_differences() -> Result<()> {
        let data: Vec<f64> = (0..2 * 3 * 8 * 8)
            .map(|i| ((i * 7919 % 113) as f64) / 17.0 - 3.0)
            .collect();
        let x = Var::from_vec(data.clone(), (2, 3, 8, 8), &Device::Cpu)?;
        let weights =
            Tensor::arange(0f64, 2.0 * 3.0 * 16.0, &Device::Cpu)?.reshape((2, 3, 4, 4))?;
        let loss = |t: &Tensor| -> Result<f64> {
            Ok((max_pool2d(t, 3, 2, 1)? * &weights)?
                .sum_all()?
                .to_scalar::<f64>()?)
        };
        let y = (max_pool2d(x.as_tensor(), 3, 2, 1)? * &weights)?.sum_all()?;
        let g = y
            .backward()?
            .get(&x)
            .unwrap()
            .flatten_all()?
            .to_vec1::<f64>()?;
        for i in (0..data.len()).step_by(13) {
            let mut plus = data.clone();
            plus[i] += 1e-4;
            let mut minus = data.clone();
            minus[i] -= 1e-4;
            let fp = loss(&Tensor::from_vec(plus, (2, 3, 8, 8), &Device::Cpu)?)?;
            let fm = loss(&Tensor::from_vec(minus, (2, 3, 8, 8), &Device::Cpu)?)?;
            let fd = (fp - fm) / 2e-4;
            assert!(
                (fd - g[i]).abs() < 1e-6,
                "element {i}: finite difference {fd}, backward {}",
                g[i]
            );
        }
        Ok(())
    }
}
