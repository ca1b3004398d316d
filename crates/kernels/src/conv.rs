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

/// The output columns `lo..hi` of kernel column `kj` that read inside the image, and the input
/// column the first of them reads (stride 1).
fn valid_cols(g: &Geom, kj: usize) -> (usize, usize, usize) {
    let lo = g.pad.saturating_sub(kj).min(g.ow);
    let hi = (g.w + g.pad).saturating_sub(kj).clamp(lo, g.ow);
    (lo, hi, (lo + kj).saturating_sub(g.pad))
}

/// Index map for im2col on strided convs and small maps, where per-row copies are too short:
/// for each kernel tap `(ki, kj)` and output pixel, the input pixel it reads (`u32::MAX` in
/// the zero padding). Empty when rows are long enough to copy directly (stride 1, wide maps).
fn taps(g: &Geom) -> Vec<u32> {
    if g.stride == 1 && g.ow >= 16 {
        return Vec::new();
    }
    let mut t = Vec::with_capacity(g.kh * g.kw * g.p());
    for ki in 0..g.kh {
        for kj in 0..g.kw {
            for oy in 0..g.oh {
                let iy = (oy * g.stride + ki).wrapping_sub(g.pad);
                for ox in 0..g.ow {
                    let ix = (ox * g.stride + kj).wrapping_sub(g.pad);
                    t.push(if iy < g.h && ix < g.w {
                        (iy * g.w + ix) as u32
                    } else {
                        u32::MAX
                    });
                }
            }
        }
    }
    t
}

/// Fills one image's columns of an im2col matrix from `x (C, H, W)`: row `r` of the image's
/// `(C*kh*kw, oh*ow)` block starts at `col[r * ld]`, so several images can share one matrix.
fn im2col<T: Elem>(g: &Geom, taps: &[u32], x: &[T], col: &mut [T], ld: usize) {
    let zero = T::from_f64(0.0);
    let (p, kk) = (g.p(), g.kh * g.kw);
    for (c, plane) in x.chunks_exact(g.h * g.w).enumerate() {
        if !taps.is_empty() {
            for (t, map) in taps.chunks_exact(p).enumerate() {
                let row = &mut col[(c * kk + t) * ld..][..p];
                for (d, &i) in row.iter_mut().zip(map) {
                    *d = plane.get(i as usize).copied().unwrap_or(zero);
                }
            }
            continue;
        }
        for ki in 0..g.kh {
            for kj in 0..g.kw {
                let row = &mut col[(c * kk + ki * g.kw + kj) * ld..][..p];
                let (lo, hi, start) = valid_cols(g, kj);
                for (oy, dst) in row.chunks_exact_mut(g.ow).enumerate() {
                    let iy = (oy + ki).wrapping_sub(g.pad);
                    if iy >= g.h {
                        dst.fill(zero);
                        continue;
                    }
                    let src = &plane[iy * g.w..(iy + 1) * g.w];
                    dst[..lo].fill(zero);
                    dst[hi..].fill(zero);
                    dst[lo..hi].copy_from_slice(&src[start..start + hi - lo]);
                }
            }
        }
    }
}

/// Adds one image's columns of an im2col-shaped gradient (row stride `ld`) back into `dx (C, H, W)`.
fn col2im<T: Elem>(g: &Geom, taps: &[u32], col: &[T], ld: usize, dx: &mut [T]) {
    let (p, kk) = (g.p(), g.kh * g.kw);
    for (c, plane) in dx.chunks_exact_mut(g.h * g.w).enumerate() {
        if !taps.is_empty() {
            for (t, map) in taps.chunks_exact(p).enumerate() {
                let row = &col[(c * kk + t) * ld..][..p];
                for (&v, &i) in row.iter().zip(map) {
                    if let Some(d) = plane.get_mut(i as usize) {
                        *d += v;
                    }
                }
            }
            continue;
        }
        for ki in 0..g.kh {
            for kj in 0..g.kw {
                let row = &col[(c * kk + ki * g.kw + kj) * ld..][..p];
                let (lo, hi, start) = valid_cols(g, kj);
                for (oy, src) in row.chunks_exact(g.ow).enumerate() {
                    let iy = (oy + ki).wrapping_sub(g.pad);
                    if iy >= g.h {
                        continue;
                    }
                    let dst = &mut plane[iy * g.w + start..][..hi - lo];
                    dst.iter_mut().zip(&src[lo..hi]).for_each(|(d, &v)| *d += v);
                }
            }
        }
    }
}

/// Batch chunks that each run as one GEMM, and the parallelism inside those GEMMs.
///
/// Small feature maps (few output pixels per image) give per-image GEMMs too thin for gemm to
/// reach its speed, so images are grouped until a GEMM has about `TARGET_COLS` columns; chunks
/// then go to the rayon threads, or, when there are fewer chunks than threads, one chunk runs
/// with gemm's own parallelism.
fn plan(g: &Geom) -> (Vec<std::ops::Range<usize>>, Parallelism) {
    const TARGET_COLS: usize = 1024;
    const MAX_COL_ELEMS: usize = 1 << 22;
    let (n, p, t) = (g.n.max(1), g.p().max(1), cpu::threads());
    let per_chunk = TARGET_COLS
        .div_ceil(p)
        .min((MAX_COL_ELEMS / (g.k() * p).max(1)).max(1))
        .clamp(1, n);
    let chunks = n.div_ceil(per_chunk);
    if chunks >= t {
        (cpu::ranges(n, chunks.div_ceil(t) * t), Parallelism::None)
    } else if n >= t && per_chunk == 1 {
        (cpu::ranges(n, t), Parallelism::None)
    } else {
        (cpu::ranges(n, 1), Parallelism::Rayon(t))
    }
}

/// The GEMM operand for images `r`: the image itself (1x1/s1 conv of one image), or an
/// im2col matrix `(K, m*P)` with image `i`'s columns at `i*P` (a channel gather for 1x1/s1).
fn columns<'a, T: Elem>(
    g: &Geom,
    taps: &[u32],
    x: &'a [T],
    r: &std::ops::Range<usize>,
    buf: &'a mut Vec<T>,
) -> &'a [T] {
    let (in_len, p, m) = (g.c * g.h * g.w, g.p(), r.len());
    if g.pointwise() && m == 1 {
        return &x[r.start * in_len..(r.start + 1) * in_len];
    }
    let ld = m * p;
    buf.resize(g.k() * ld, T::from_f64(0.0));
    for (j, i) in r.clone().enumerate() {
        let xi = &x[i * in_len..(i + 1) * in_len];
        if g.pointwise() {
            for (c, plane) in xi.chunks_exact(p).enumerate() {
                buf[c * ld + j * p..][..p].copy_from_slice(plane);
            }
        } else {
            im2col(g, taps, xi, &mut buf[j * p..], ld);
        }
    }
    buf
}

/// Forward: `Y (Co, m*P) = W (Co, K) * cols (K, m*P)` per chunk of `m` images, scattered to
/// NCHW with the bias and ReLU applied on the way.
fn forward<T: Elem>(g: &Geom, x: &[T], w: &[T], b: Option<&[T]>, relu: bool) -> Vec<T> {
    let (k, p, co) = (g.k(), g.p(), g.co);
    let zero = T::from_f64(0.0);
    let mut y = vec![zero; g.n * co * p];
    let (chunks, par) = plan(g);
    let taps = taps(g);
    let yp = SendPtr(y.as_mut_ptr());
    let run = |r: std::ops::Range<usize>| {
        let (mut col, mut ybuf) = (Vec::new(), Vec::new());
        let m = r.len();
        let ld = m * p;
        // SAFETY: each chunk writes only its own images' output blocks.
        let out =
            unsafe { std::slice::from_raw_parts_mut(yp.get().add(r.start * co * p), m * co * p) };
        let src = columns(g, &taps, x, &r, &mut col);
        let dst = if m == 1 {
            &mut out[..]
        } else {
            ybuf.resize(co * ld, zero);
            &mut ybuf[..]
        };
        unsafe {
            gemm_rm(
                (co, ld, k),
                dst.as_mut_ptr(),
                ld,
                false,
                (w.as_ptr(), k, 1),
                (src.as_ptr(), ld, 1),
                par,
            );
        }
        for j in 0..m {
            for c in 0..co {
                let o = &mut out[(j * co + c) * p..][..p];
                if m > 1 {
                    o.copy_from_slice(&ybuf[c * ld + j * p..][..p]);
                }
                let bias = b.map_or(zero, |b| b[c]);
                if relu {
                    o.iter_mut().for_each(|v| {
                        let s = *v + bias;
                        *v = if s < zero { zero } else { s };
                    });
                } else if b.is_some() {
                    o.iter_mut().for_each(|v| *v += bias);
                }
            }
        }
    };
    if matches!(par, Parallelism::None) {
        chunks.into_par_iter().for_each(run);
    } else {
        chunks.into_iter().for_each(run);
    }
    y
}

/// Backward: input, weight and bias gradients from the output gradient `gy` (already masked by
/// ReLU), one GEMM pair per chunk of images as in [`forward`].
fn backward<T: Elem>(g: &Geom, x: &[T], w: &[T], gy: &[T]) -> (Vec<T>, Vec<T>, Vec<T>) {
    let (k, p, co) = (g.k(), g.p(), g.co);
    let in_len = g.c * g.h * g.w;
    let zero = T::from_f64(0.0);
    let mut dx = vec![zero; g.n * in_len];
    let (chunks, par) = plan(g);
    let taps = taps(g);
    let dxp = SendPtr(dx.as_mut_ptr());
    let run = |r: std::ops::Range<usize>| {
        let m = r.len();
        let ld = m * p;
        let mut dw = vec![zero; co * k];
        let mut db = vec![zero; co];
        let (mut col, mut gbuf, mut dcol) = (Vec::new(), Vec::new(), Vec::new());
        let gc = &gy[r.start * co * p..r.end * co * p];
        // gy of the chunk as one (Co, m*P) matrix.
        let gm: &[T] = if m == 1 {
            gc
        } else {
            gbuf.resize(co * ld, zero);
            for (j, img) in gc.chunks_exact(co * p).enumerate() {
                for (c, row) in img.chunks_exact(p).enumerate() {
                    gbuf[c * ld + j * p..][..p].copy_from_slice(row);
                }
            }
            &gbuf
        };
        for (d, row) in db.iter_mut().zip(gm.chunks_exact(ld)) {
            *d += row.iter().fold(zero, |a, &v| a + v);
        }
        let src = columns(g, &taps, x, &r, &mut col);
        // SAFETY: each chunk writes only its own images' input-gradient blocks.
        let dxc = unsafe {
            std::slice::from_raw_parts_mut(dxp.get().add(r.start * in_len), m * in_len)
        };
        let direct = g.pointwise() && m == 1;
        if !direct {
            dcol.resize(k * ld, zero);
        }
        unsafe {
            // dW (Co, K) += gy (Co, m*P) * cols^T (m*P, K)
            gemm_rm(
                (co, k, ld),
                dw.as_mut_ptr(),
                k,
                true,
                (gm.as_ptr(), ld, 1),
                (src.as_ptr(), 1, ld),
                par,
            );
            // dcols (K, m*P) = W^T (K, Co) * gy (Co, m*P)
            let target = if direct {
                dxc.as_mut_ptr()
            } else {
                dcol.as_mut_ptr()
            };
            gemm_rm(
                (k, ld, co),
                target,
                ld,
                false,
                (w.as_ptr(), 1, k),
                (gm.as_ptr(), ld, 1),
                par,
            );
        }
        if !direct {
            for (j, dxi) in dxc.chunks_exact_mut(in_len).enumerate() {
                if g.pointwise() {
                    for (c, plane) in dxi.chunks_exact_mut(p).enumerate() {
                        plane.copy_from_slice(&dcol[c * ld + j * p..][..p]);
                    }
                } else {
                    col2im(g, &taps, &dcol[j * p..], ld, dxi);
                }
            }
        }
        (dw, db)
    };
    let partial: Vec<(Vec<T>, Vec<T>)> = if matches!(par, Parallelism::None) {
        chunks.into_par_iter().map(run).collect()
    } else {
        chunks.into_iter().map(run).collect()
    };
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
