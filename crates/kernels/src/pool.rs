//! Max-pooling (PyTorch semantics, -inf padding) and global average pooling.

use crate::cpu::{self, Elem};
use crate::error::{Result, shape_err};
use crate::reference;
use candle_core::{CpuStorage, CustomOp1, Layout, Shape, Tensor};
use rayon::prelude::*;

/// Max over `kernel` x `kernel` windows with `stride` and `padding` (padding never wins; the
/// gradient goes to the first maximum of each window, as PyTorch).
pub fn max_pool2d(x: &Tensor, kernel: usize, stride: usize, padding: usize) -> Result<Tensor> {
    let (_, _, h, w) = x.dims4().map_err(|_| {
        shape_err(
            "max_pool2d",
            format!("input must be NCHW, got {:?}", x.dims()),
        )
    })?;
    if kernel == 0
        || stride == 0
        || 2 * padding > kernel
        || h + 2 * padding < kernel
        || w + 2 * padding < kernel
    {
        return Err(shape_err(
            "max_pool2d",
            format!("kernel {kernel} stride {stride} padding {padding} does not fit {h}x{w}"),
        ));
    }
    if cpu::fast(x) {
        return Ok(x.contiguous()?.apply_op1(MaxPool {
            kernel,
            stride,
            padding,
        })?);
    }
    reference::max_pool2d(x, kernel, stride, padding)
}

/// Mean over the spatial dimensions: `(N, C, H, W) -> (N, C)`.
pub fn global_avg_pool(x: &Tensor) -> Result<Tensor> {
    x.dims4().map_err(|_| {
        shape_err(
            "global_avg_pool",
            format!("input must be NCHW, got {:?}", x.dims()),
        )
    })?;
    if cpu::fast(x) {
        return Ok(x.contiguous()?.apply_op1(AvgPool)?);
    }
    reference::global_avg_pool(x)
}

struct MaxPool {
    kernel: usize,
    stride: usize,
    padding: usize,
}

impl MaxPool {
    fn out_hw(&self, h: usize, w: usize) -> (usize, usize) {
        (
            (h + 2 * self.padding - self.kernel) / self.stride + 1,
            (w + 2 * self.padding - self.kernel) / self.stride + 1,
        )
    }

    /// Index (within the plane) of the first maximum of each window, visiting windows in order.
    fn argmax<T: Elem>(
        &self,
        plane: &[T],
        h: usize,
        w: usize,
        mut visit: impl FnMut(usize, usize),
    ) {
        let (oh, ow) = self.out_hw(h, w);
        for oy in 0..oh {
            let y0 = (oy * self.stride) as isize - self.padding as isize;
            let ys = y0.max(0) as usize..((y0 + self.kernel as isize).min(h as isize)) as usize;
            for ox in 0..ow {
                let x0 = (ox * self.stride) as isize - self.padding as isize;
                let xs = x0.max(0) as usize..((x0 + self.kernel as isize).min(w as isize)) as usize;
                let mut best = ys.start * w + xs.start;
                for yy in ys.clone() {
                    for xx in xs.clone() {
                        let i = yy * w + xx;
                        let v = plane[i];
                        if v > plane[best] || v.to_f64().is_nan() {
                            best = i;
                        }
                    }
                }
                visit(oy * ow + ox, best);
            }
        }
    }
}

/// `max(a, b)` that propagates NaN from either side (as PyTorch's max-pool).
fn nan_max<T: Elem>(a: T, b: T) -> T {
    if a > b || a.to_f64().is_nan() { a } else { b }
}

impl MaxPool {
    /// Forward values of one plane: a vertical max over each window's rows into `rows`, then a
    /// horizontal max per output (k + k/stride comparisons per output instead of k^2).
    fn max_values<T: Elem>(&self, plane: &[T], h: usize, w: usize, rows: &mut [T], dst: &mut [T]) {
        let (oh, ow) = self.out_hw(h, w);
        for oy in 0..oh {
            let y0 = (oy * self.stride).saturating_sub(self.padding);
            let y1 = (oy * self.stride + self.kernel - self.padding).min(h);
            rows.copy_from_slice(&plane[y0 * w..(y0 + 1) * w]);
            for yy in y0 + 1..y1 {
                for (m, &v) in rows.iter_mut().zip(&plane[yy * w..(yy + 1) * w]) {
                    *m = nan_max(v, *m);
                }
            }
            for (ox, d) in dst[oy * ow..(oy + 1) * ow].iter_mut().enumerate() {
                let x0 = (ox * self.stride).saturating_sub(self.padding);
                let x1 = (ox * self.stride + self.kernel - self.padding).min(w);
                *d = rows[x0 + 1..x1]
                    .iter()
                    .fold(rows[x0], |m, &v| nan_max(v, m));
            }
        }
    }
}

impl CustomOp1 for MaxPool {
    fn name(&self) -> &'static str {
        "sslinv-max-pool2d"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let (n, c, h, w) = l.shape().dims4()?;
        let (oh, ow) = self.out_hw(h, w);
        fn run<T: Elem>(op: &MaxPool, x: &[T], h: usize, w: usize, o: usize) -> Vec<T> {
            let mut out = vec![T::from_f64(0.0); x.len() / (h * w) * o];
            out.par_chunks_mut(o)
                .zip(x.par_chunks(h * w))
                .for_each_init(
                    || vec![T::from_f64(0.0); w],
                    |rows, (dst, plane)| op.max_values(plane, h, w, rows, dst),
                );
            out
        }
        let out = cpu::for_float!(cpu::dtype(s), "max_pool2d", |T| {
            cpu::owned(run::<T>(self, cpu::slice(s, l)?, h, w, oh * ow))
        });
        Ok((out, Shape::from((n, c, oh, ow))))
    }

    fn bwd(&self, x: &Tensor, _res: &Tensor, grad: &Tensor) -> candle_core::Result<Option<Tensor>> {
        let (_, _, h, w) = x.dims4()?;
        let (oh, ow) = self.out_hw(h, w);
        fn run<T: Elem>(
            op: &MaxPool,
            x: &Tensor,
            grad: &Tensor,
            h: usize,
            w: usize,
            o: usize,
        ) -> candle_core::Result<Tensor> {
            let g = cpu::to_vec::<T>(grad)?;
            let dx = cpu::with_slice(x, |xs: &[T]| {
                let mut dx = vec![T::from_f64(0.0); xs.len()];
                dx.par_chunks_mut(h * w)
                    .zip(xs.par_chunks(h * w).zip(g.par_chunks(o)))
                    .for_each(|(d, (plane, gp))| op.argmax(plane, h, w, |j, i| d[i] += gp[j]));
                dx
            })?;
            Tensor::from_vec(dx, x.shape(), x.device())
        }
        Ok(Some(cpu::for_float!(x.dtype(), "max_pool2d", |T| {
            run::<T>(self, x, grad, h, w, oh * ow)?
        })))
    }
}

struct AvgPool;

impl CustomOp1 for AvgPool {
    fn name(&self) -> &'static str {
        "sslinv-global-avg-pool"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let (n, c, h, w) = l.shape().dims4()?;
        fn run<T: Elem>(x: &[T], hw: usize) -> Vec<T> {
            let inv = 1.0 / hw as f64;
            x.par_chunks(hw)
                .map(|p| T::from_f64(p.iter().map(|v| v.to_f64()).sum::<f64>() * inv))
                .collect()
        }
        let out = cpu::for_float!(cpu::dtype(s), "global_avg_pool", |T| {
            cpu::owned(run::<T>(cpu::slice(s, l)?, h * w))
        });
        Ok((out, Shape::from((n, c))))
    }

    fn bwd(&self, x: &Tensor, _res: &Tensor, grad: &Tensor) -> candle_core::Result<Option<Tensor>> {
        let (n, c, h, w) = x.dims4()?;
        let g = (grad / (h * w) as f64)?.reshape((n, c, 1, 1))?;
        Ok(Some(g.broadcast_as((n, c, h, w))?.contiguous()?))
    }
}
