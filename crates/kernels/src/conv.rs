//! 2-D convolution (NCHW, groups 1) as im2col + GEMM on CPU, forward and backward.

use crate::cpu::{self, Elem, SendPtr, gemm_rm};
use crate::error::{Result, shape_err};
use crate::reference;
use candle_core::{CpuStorage, CustomOp2, CustomOp3, Layout, Shape, Tensor};
use gemm::Parallelism;
use rayon::prelude::*;

/// Convolution `x (N,C,H,W) * w (Co,C,kh,kw)` with zero padding, no bias.
pub fn conv2d(x: &Tensor, w: &Tensor, stride: usize, padding: usize) -> Result<Tensor> {
    Geom::new(x, w, stride, padding)?;
    if cpu::fast(x) && x.dtype() == w.dtype() && w.device().is_cpu() {
        let op = Conv {
            stride,
            padding,
            relu: false,
        };
        return Ok(x.contiguous()?.apply_op2(&w.contiguous()?, op)?);
    }
    reference::conv2d(x, w, stride, padding)
}

/// Convolution plus a per-output-channel bias `b (Co)`: the eval-mode conv with BatchNorm folded in.
pub fn conv2d_bias(
    x: &Tensor,
    w: &Tensor,
    b: &Tensor,
    stride: usize,
    padding: usize,
) -> Result<Tensor> {
    conv_bias(x, w, b, stride, padding, false)
}

/// [`conv2d_bias`] followed by ReLU, fused into one pass over the output.
pub fn conv2d_bias_relu(
    x: &Tensor,
    w: &Tensor,
    b: &Tensor,
    stride: usize,
    padding: usize,
) -> Result<Tensor> {
    conv_bias(x, w, b, stride, padding, true)
}

fn conv_bias(
    x: &Tensor,
    w: &Tensor,
    b: &Tensor,
    stride: usize,
    padding: usize,
    relu: bool,
) -> Result<Tensor> {
    let g = Geom::new(x, w, stride, padding)?;
    if b.dims() != [g.co] {
        return Err(shape_err(
            "conv2d_bias",
            format!("bias shape {:?}, expected [{}]", b.dims(), g.co),
        ));
    }
    if cpu::fast(x) && x.dtype() == w.dtype() && x.dtype() == b.dtype() && w.device().is_cpu() {
        let op = Conv {
            stride,
            padding,
            relu,
        };
        return Ok(x
            .contiguous()?
            .apply_op3(&w.contiguous()?, &b.contiguous()?, op)?);
    }
    let y =
        reference::conv2d(x, w, stride, padding)?.broadcast_add(&b.reshape((1, g.co, 1, 1))?)?;
    Ok(if relu { y.relu()? } else { y })
}

/// Sizes of one convolution.
#[derive(Clone, Copy, Debug)]
struct Geom {
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    co: usize,
    kh: usize,
    kw: usize,
    oh: usize,
    ow: usize,
    stride: usize,
    pad: usize,
}

impl Geom {
    fn new(x: &Tensor, w: &Tensor, stride: usize, pad: usize) -> Result<Self> {
        let (n, c, h, wd) = x
            .dims4()
            .map_err(|_| shape_err("conv2d", format!("input must be NCHW, got {:?}", x.dims())))?;
        let (co, ci, kh, kw) = w.dims4().map_err(|_| {
            shape_err(
                "conv2d",
                format!("weight must be (Co,C,kh,kw), got {:?}", w.dims()),
            )
        })?;
        if ci != c {
            return Err(shape_err(
                "conv2d",
                format!("input has {c} channels, weight expects {ci}"),
            ));
        }
        if stride == 0 || h + 2 * pad < kh || wd + 2 * pad < kw {
            return Err(shape_err(
                "conv2d",
                format!("kernel {kh}x{kw} stride {stride} padding {pad} does not fit {h}x{wd}"),
            ));
        }
        let oh = (h + 2 * pad - kh) / stride + 1;
        let ow = (wd + 2 * pad - kw) / stride + 1;
        Ok(Self {
            n,
            c,
            h,
            w: wd,
            co,
            kh,
            kw,
            oh,
            ow,
            stride,
            pad,
        })
    }

    fn from_shapes(x: &[usize], w: &[usize], stride: usize, pad: usize) -> Self {
        let (n, c, h, wd) = (x[0], x[1], x[2], x[3]);
        let (co, kh, kw) = (w[0], w[2], w[3]);
        let oh = (h + 2 * pad - kh) / stride + 1;
        let ow = (wd + 2 * pad - kw) / stride + 1;
        Self {
            n,
            c,
            h,
            w: wd,
            co,
            kh,
            kw,
            oh,
            ow,
            stride,
            pad,
        }
    }

    /// Rows of the im2col matrix (C * kh * kw).
    fn k(&self) -> usize {
        self.c * self.kh * self.kw
    }

    /// Output pixels per image.
    fn p(&self) -> usize {
        self.oh * self.ow
    }

    /// A 1x1, stride-1, unpadded conv reads the image itself as its im2col matrix.
    fn pointwise(&self) -> bool {
        self.kh == 1 && self.kw == 1 && self.stride == 1 && self.pad == 0
    }

    fn out_shape(&self) -> Shape {
        Shape::from((self.n, self.co, self.oh, self.ow))
    }
}

/// Fills `col (C*kh*kw, oh*ow)` from one image `x (C, H, W)`.
fn im2col<T: Elem>(g: &Geom, x: &[T], col: &mut [T]) {
    let zero = T::from_f64(0.0);
    let p = g.p();
    for c in 0..g.c {
        let plane = &x[c * g.h * g.w..(c + 1) * g.h * g.w];
        for ki in 0..g.kh {
            for kj in 0..g.kw {
                let row = &mut col[((c * g.kh + ki) * g.kw + kj) * p..][..p];
                for oy in 0..g.oh {
                    let dst = &mut row[oy * g.ow..(oy + 1) * g.ow];
                    let iy = (oy * g.stride + ki) as isize - g.pad as isize;
                    if iy < 0 || iy >= g.h as isize {
                        dst.fill(zero);
                        continue;
                    }
                    let src = &plane[iy as usize * g.w..(iy as usize + 1) * g.w];
                    if g.stride == 1 {
                        // Contiguous run: copy the in-range middle, zero the padded borders.
                        let off = kj as isize - g.pad as isize;
                        let lo = (-off).clamp(0, g.ow as isize) as usize;
                        let hi = (g.w as isize - off).clamp(lo as isize, g.ow as isize) as usize;
                        dst[..lo].fill(zero);
                        dst[hi..].fill(zero);
                        let start = (lo as isize + off) as usize;
                        dst[lo..hi].copy_from_slice(&src[start..start + hi - lo]);
                    } else {
                        for (ox, d) in dst.iter_mut().enumerate() {
                            let ix = (ox * g.stride + kj) as isize - g.pad as isize;
                            *d = if ix >= 0 && ix < g.w as isize {
                                src[ix as usize]
                            } else {
                                zero
                            };
                        }
                    }
                }
            }
        }
    }
}

/// Adds `col (C*kh*kw, oh*ow)` back into one image gradient `dx (C, H, W)`.
fn col2im<T: Elem>(g: &Geom, col: &[T], dx: &mut [T]) {
    let p = g.p();
    for c in 0..g.c {
        let plane = &mut dx[c * g.h * g.w..(c + 1) * g.h * g.w];
        for ki in 0..g.kh {
            for kj in 0..g.kw {
                let row = &col[((c * g.kh + ki) * g.kw + kj) * p..][..p];
                for oy in 0..g.oh {
                    let iy = (oy * g.stride + ki) as isize - g.pad as isize;
                    if iy < 0 || iy >= g.h as isize {
                        continue;
                    }
                    let dst = &mut plane[iy as usize * g.w..(iy as usize + 1) * g.w];
                    let src = &row[oy * g.ow..(oy + 1) * g.ow];
                    if g.stride == 1 {
                        let off = kj as isize - g.pad as isize;
                        let lo = (-off).clamp(0, g.ow as isize) as usize;
                        let hi = (g.w as isize - off).clamp(lo as isize, g.ow as isize) as usize;
                        let start = (lo as isize + off) as usize;
                        for (d, &v) in dst[start..start + hi - lo].iter_mut().zip(&src[lo..hi]) {
                            *d += v;
                        }
                        continue;
                    }
                    for (ox, &v) in src.iter().enumerate() {
                        let ix = (ox * g.stride + kj) as isize - g.pad as isize;
                        if ix >= 0 && ix < g.w as isize {
                            dst[ix as usize] += v;
                        }
                    }
                }
            }
        }
    }
}

/// Splits the batch over threads; a batch smaller than the pool lets gemm parallelise instead.
fn plan(n: usize) -> (Vec<std::ops::Range<usize>>, Parallelism) {
    let t = cpu::threads();
    if n >= t {
        (cpu::ranges(n, t), Parallelism::None)
    } else {
        (cpu::ranges(n, 1), Parallelism::Rayon(t))
    }
}

/// Forward: `y[n] = W (Co, K) * col(x[n]) (K, P) (+ b)`, optionally ReLU.
fn forward<T: Elem>(g: &Geom, x: &[T], w: &[T], b: Option<&[T]>, relu: bool) -> Vec<T> {
    let (k, p, co) = (g.k(), g.p(), g.co);
    let in_len = g.c * g.h * g.w;
    let mut y = vec![T::from_f64(0.0); g.n * co * p];
    let (chunks, par) = plan(g.n);
    let yp = SendPtr(y.as_mut_ptr());
    chunks.into_par_iter().for_each(|r| {
        let mut col = if g.pointwise() {
            Vec::new()
        } else {
            vec![T::from_f64(0.0); k * p]
        };
        for i in r {
            // SAFETY: each image writes only its own output block.
            let out = unsafe { std::slice::from_raw_parts_mut(yp.get().add(i * co * p), co * p) };
            if let Some(b) = b {
                for (row, &bv) in out.chunks_exact_mut(p).zip(b) {
                    row.fill(bv);
                }
            }
            let xi = &x[i * in_len..(i + 1) * in_len];
            let src = if g.pointwise() {
                xi
            } else {
                im2col(g, xi, &mut col);
                &col
            };
            unsafe {
                gemm_rm(
                    (co, p, k),
                    out.as_mut_ptr(),
                    p,
                    b.is_some(),
                    (w.as_ptr(), k, 1),
                    (src.as_ptr(), p, 1),
                    par,
                );
            }
            if relu {
                let zero = T::from_f64(0.0);
                out.iter_mut().for_each(|v| {
                    if *v < zero {
                        *v = zero
                    }
                });
            }
        }
    });
    y
}

/// Backward: input, weight and bias gradients from the output gradient `gy` (already masked by ReLU).
fn backward<T: Elem>(g: &Geom, x: &[T], w: &[T], gy: &[T]) -> (Vec<T>, Vec<T>, Vec<T>) {
    let (k, p, co) = (g.k(), g.p(), g.co);
    let in_len = g.c * g.h * g.w;
    let zero = T::from_f64(0.0);
    let mut dx = vec![zero; g.n * in_len];
    let (chunks, par) = plan(g.n);
    let dxp = SendPtr(dx.as_mut_ptr());
    let partial: Vec<(Vec<T>, Vec<T>)> = chunks
        .into_par_iter()
        .map(|r| {
            let mut dw = vec![zero; co * k];
            let mut db = vec![zero; co];
            let mut col = if g.pointwise() {
                Vec::new()
            } else {
                vec![zero; k * p]
            };
            let mut dcol = if g.pointwise() {
                Vec::new()
            } else {
                vec![zero; k * p]
            };
            for i in r {
                let gi = &gy[i * co * p..(i + 1) * co * p];
                for (d, row) in db.iter_mut().zip(gi.chunks_exact(p)) {
                    *d += row.iter().fold(zero, |a, &v| a + v);
                }
                let xi = &x[i * in_len..(i + 1) * in_len];
                // SAFETY: each image writes only its own input-gradient block.
                let dxi =
                    unsafe { std::slice::from_raw_parts_mut(dxp.get().add(i * in_len), in_len) };
                let src = if g.pointwise() {
                    xi
                } else {
                    im2col(g, xi, &mut col);
                    &col
                };
                unsafe {
                    // dW (Co, K) += gy (Co, P) * col^T (P, K)
                    gemm_rm(
                        (co, k, p),
                        dw.as_mut_ptr(),
                        k,
                        true,
                        (gi.as_ptr(), p, 1),
                        (src.as_ptr(), 1, p),
                        par,
                    );
                    // dcol (K, P) = W^T (K, Co) * gy (Co, P)
                    let target = if g.pointwise() {
                        dxi.as_mut_ptr()
                    } else {
                        dcol.as_mut_ptr()
                    };
                    gemm_rm(
                        (k, p, co),
                        target,
                        p,
                        false,
                        (w.as_ptr(), 1, k),
                        (gi.as_ptr(), p, 1),
                        par,
                    );
                }
                if !g.pointwise() {
                    col2im(g, &dcol, dxi);
                }
            }
            (dw, db)
        })
        .collect();
    let mut parts = partial.into_iter();
    let (mut dw, mut db) = parts
        .next()
        .unwrap_or_else(|| (vec![zero; co * k], vec![zero; co]));
    for (pw, pb) in parts {
        dw.iter_mut().zip(pw).for_each(|(a, b)| *a += b);
        db.iter_mut().zip(pb).for_each(|(a, b)| *a += b);
    }
    (dx, dw, db)
}

/// The convolution custom op (2 inputs without bias, 3 with).
struct Conv {
    stride: usize,
    padding: usize,
    relu: bool,
}

impl Conv {
    fn fwd_storage(
        &self,
        (s1, l1): (&CpuStorage, &Layout),
        (s2, l2): (&CpuStorage, &Layout),
        bias: Option<(&CpuStorage, &Layout)>,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let g = Geom::from_shapes(l1.dims(), l2.dims(), self.stride, self.padding);
        fn run<T: Elem>(
            c: &Conv,
            g: &Geom,
            (s1, l1): (&CpuStorage, &Layout),
            (s2, l2): (&CpuStorage, &Layout),
            bias: Option<(&CpuStorage, &Layout)>,
        ) -> candle_core::Result<CpuStorage> {
            let x = cpu::slice::<T>(s1, l1)?;
            let w = cpu::slice::<T>(s2, l2)?;
            let b = match bias {
                Some((s, l)) => Some(cpu::slice::<T>(s, l)?),
                None => None,
            };
            Ok(T::to_cpu_storage_owned(forward(g, x, w, b, c.relu)))
        }
        let out = match s1 {
            CpuStorage::F32(_) => run::<f32>(self, &g, (s1, l1), (s2, l2), bias)?,
            CpuStorage::F64(_) => run::<f64>(self, &g, (s1, l1), (s2, l2), bias)?,
            _ => candle_core::bail!("conv2d: unsupported dtype"),
        };
        Ok((out, g.out_shape()))
    }

    fn bwd_tensors(
        &self,
        x: &Tensor,
        w: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Tensor, Tensor, Tensor)> {
        let g = Geom::from_shapes(x.dims(), w.dims(), self.stride, self.padding);
        let grad = if self.relu {
            crate::eltwise::relu_mask(grad, res)?
        } else {
            grad.clone()
        };
        fn run<T: Elem>(
            g: &Geom,
            x: &Tensor,
            w: &Tensor,
            gy: &Tensor,
        ) -> candle_core::Result<(Tensor, Tensor, Tensor)> {
            let (xv, wv, gv) = (x.contiguous()?, w.contiguous()?, gy.contiguous()?);
            let (dx, dw, db) = cpu::with_slice(&xv, |xs: &[T]| {
                cpu::with_slice(&wv, |ws: &[T]| {
                    cpu::with_slice(&gv, |gs: &[T]| backward(g, xs, ws, gs))
                })
            })???;
            let dev = x.device();
            Ok((
                Tensor::from_vec(dx, x.shape(), dev)?,
                Tensor::from_vec(dw, w.shape(), dev)?,
                Tensor::from_vec(db, g.co, dev)?,
            ))
        }
        match x.dtype() {
            candle_core::DType::F32 => run::<f32>(&g, x, w, &grad),
            candle_core::DType::F64 => run::<f64>(&g, x, w, &grad),
            d => candle_core::bail!("conv2d: unsupported dtype {d:?}"),
        }
    }
}

impl CustomOp2 for Conv {
    fn name(&self) -> &'static str {
        "sslinv-conv2d"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        self.fwd_storage((s1, l1), (s2, l2), None)
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>)> {
        let (dx, dw, _) = self.bwd_tensors(x, w, res, grad)?;
        Ok((Some(dx), Some(dw)))
    }
}

impl CustomOp3 for Conv {
    fn name(&self) -> &'static str {
        "sslinv-conv2d-bias"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        self.fwd_storage((s1, l1), (s2, l2), Some((s3, l3)))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        _b: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let (dx, dw, db) = self.bwd_tensors(x, w, res, grad)?;
        Ok((Some(dx), Some(dw), Some(db)))
    }
}
