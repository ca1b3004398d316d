//! Convolution forward and backward as GEMMs over chunks of images.

use super::Geom;
use super::columns::Taps;
use super::winograd;
use crate::cpu::{Elem, SendPtr, gemm_rm, scratch};
use crate::sums;
use gemm::Parallelism;
use rayon::prelude::*;
use std::ops::Range;

/// Batch chunks that each run as one single-threaded GEMM, in parallel over the rayon pool.
///
/// Small feature maps (few output pixels per image) give per-image GEMMs too thin for gemm to
/// reach its speed, so images are grouped until a GEMM has about `TARGET_COLS` columns, at most
/// `MAX_IMAGES`. On maps of 1x1 to 4x4 a whole batch of 64 is then one chunk whose GEMMs and
/// copies spread over the pool ([`spread_inside`]): chunks of 8 there packed the weights and
/// wrote a weight-gradient partial per chunk, and cost the width-64 ResNet-18 step 8-20 %. The
/// chunk size is a power of two that depends only on the layer's shape, never on the thread
/// count or the batch size: the weight gradient is a sum of per-chunk GEMMs (see [`tree_sum`]),
/// so a thread-dependent split would train the same seed differently on 1 and 2 threads, and a
/// batch-dependent one would break the equality of two data-parallel ranks with one process
/// (bit for bit where each rank's batch is a multiple of the chunk, to rounding otherwise).
fn plan(g: &Geom, k: usize) -> Vec<Range<usize>> {
    const TARGET_COLS: usize = 1024;
    const MAX_COL_ELEMS: usize = 1 << 22;
    const MAX_IMAGES: usize = 64;
    let p = g.p().max(1);
    let fit = TARGET_COLS
        .div_ceil(p)
        .min(MAX_COL_ELEMS / (k * p).max(1))
        .clamp(1, MAX_IMAGES);
    // The largest power of two <= fit.
    let per = 1 << fit.ilog2();
    (0..g.n)
        .step_by(per)
        .map(|s| s..(s + per).min(g.n))
        .collect()
}

/// Elements per task when adding weight-gradient partials.
const SUM_CHUNK: usize = 1 << 14;

/// Sums per-chunk partials as a balanced tree split at the middle: a batch's sum is then the
/// sum of its two halves' sums, so two ranks holding one half each (the all-reduce adds two
/// numbers, which is exact in either order) get the bits one process gets.
fn tree_sum<T: Elem>(mut parts: Vec<(Vec<T>, Vec<f64>)>) -> Option<(Vec<T>, Vec<f64>)> {
    if parts.len() <= 1 {
        return parts.pop();
    }
    let right = parts.split_off(parts.len() / 2);
    let (left, right) = rayon::join(|| tree_sum(parts), || tree_sum(right));
    let ((mut a, mut da), (b, db)) = (left?, right?);
    // Element by element, so splitting the vectors over threads keeps every sum's bits.
    a.par_chunks_mut(SUM_CHUNK)
        .zip(b.par_chunks(SUM_CHUNK))
        .for_each(|(x, y)| x.iter_mut().zip(y).for_each(|(x, &y)| *x += y));
    da.iter_mut().zip(db).for_each(|(x, y)| *x += y);
    Some((a, da))
}

/// Runs `f` on every chunk, results in chunk order: the chunks in parallel, or one after the
/// other when `inner` (each then spreads its own loops and GEMMs over the threads).
fn each_chunk<R: Send>(
    chunks: Vec<Range<usize>>,
    inner: bool,
    f: impl Fn(Range<usize>) -> R + Sync + Send,
) -> Vec<R> {
    if inner {
        chunks.into_iter().map(f).collect()
    } else {
        chunks.into_par_iter().map(f).collect()
    }
}

/// Whether a layer's `chunks` are too few to keep the pool's threads busy (a sub-batch of 8
/// images on a map of 8x8 or less is one chunk), so that each chunk's own copies and GEMMs run
/// on all threads instead. The same values either way: the work is split into independent
/// pieces (channels, images, GEMM output blocks), never inside a sum.
fn spread_inside(chunks: usize) -> bool {
    chunks < rayon::current_num_threads()
}

/// gemm's threading for one chunk's products.
fn gemm_threads(inner: bool) -> Parallelism {
    if inner {
        Parallelism::Rayon(rayon::current_num_threads())
    } else {
        Parallelism::None
    }
}

/// The GEMM operand for images `r`: the image itself (1x1/s1 conv of one image), or an
/// im2col matrix `(K, m*P)` with image `i`'s columns at `i*P` (a channel gather for 1x1/s1).
fn columns<'a, T: Elem>(
    g: &Geom,
    taps: &Taps,
    x: &'a [T],
    (r, inner): (&Range<usize>, bool),
    buf: &'a mut Vec<T>,
) -> &'a [T] {
    let (in_len, p, m) = (g.c * g.h * g.w, g.p(), r.len());
    if g.pointwise() && m == 1 {
        return &x[r.start * in_len..(r.start + 1) * in_len];
    }
    let ld = m * p;
    // SAFETY: the loops below write every row of every image's columns in full.
    *buf = unsafe { scratch(taps.k(g) * ld) };
    if inner {
        // One task per channel: its rows of every image's columns.
        let hw = g.h * g.w;
        let rows = taps.live.len() * ld;
        buf.par_chunks_mut(rows)
            .enumerate()
            .for_each_init(Vec::new, |padded, (c, rows)| {
                for (j, i) in r.clone().enumerate() {
                    let plane = &x[i * in_len + c * hw..][..hw];
                    if g.pointwise() {
                        rows[j * p..][..p].copy_from_slice(plane);
                    } else {
                        taps.im2col_channel(g, plane, &mut rows[j * p..], ld, padded);
                    }
                }
            });
        return buf;
    }
    for (j, i) in r.clone().enumerate() {
        let xi = &x[i * in_len..(i + 1) * in_len];
        if g.pointwise() {
            for (c, plane) in xi.chunks_exact(p).enumerate() {
                buf[c * ld + j * p..][..p].copy_from_slice(plane);
            }
        } else {
            taps.im2col(g, xi, &mut buf[j * p..], ld);
        }
    }
    buf
}

/// Forward: `Y (Co, m*P) = W (Co, K) * cols (K, m*P)` per chunk of `m` images, scattered to
/// NCHW with the bias and ReLU applied on the way.
pub(super) fn forward<T: Elem>(g: &Geom, x: &[T], w: &[T], b: Option<&[T]>, relu: bool) -> Vec<T> {
    let (p, co) = (g.p(), g.co);
    let zero = T::from_f64(0.0);
    let taps = Taps::new::<T>(g);
    let k = taps.k(g);
    let w = &*taps.compact(g, w);
    // SAFETY: the chunks below cover every image, and each writes its whole output block
    // (GEMM without accumulation, or a copy from the chunk's GEMM result).
    let mut y = unsafe { scratch::<T>(g.n * co * p) };
    let chunks = plan(g, k);
    let inner = spread_inside(chunks.len());
    let yp = SendPtr(y.as_mut_ptr());
    each_chunk(chunks, inner, |r| {
        let (mut col, mut ybuf) = (Vec::new(), Vec::new());
        let m = r.len();
        let ld = m * p;
        // SAFETY: each chunk writes only its own images' output blocks.
        let out =
            unsafe { std::slice::from_raw_parts_mut(yp.get().add(r.start * co * p), m * co * p) };
        let src = columns(g, &taps, x, (&r, inner), &mut col);
        let dst = if m == 1 {
            &mut out[..]
        } else {
            // SAFETY: the GEMM overwrites it (no accumulation).
            ybuf = unsafe { scratch(co * ld) };
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
                gemm_threads(inner),
            );
        }
        // Image j's channel c: copied out of the chunk's product, bias and ReLU applied.
        let finish = |plane: usize, o: &mut [T]| {
            let (j, c) = (plane / co, plane % co);
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
        };
        if inner {
            out.par_chunks_mut(p)
                .enumerate()
                .for_each(|(i, o)| finish(i, o));
        } else {
            for (i, o) in out.chunks_exact_mut(p).enumerate() {
                finish(i, o);
            }
        }
    });
    y
}

/// The forward pass of training: Winograd where it [`winograd::applies`], else [`forward`]
/// (inference keeps the im2col GEMM, whose features match PyTorch's to 1e-7).
pub(super) fn forward_train<T: Elem>(g: &Geom, x: &[T], w: &[T]) -> Vec<T> {
    if let (true, Some(xf), Some(wf)) = (winograd::applies::<T>(g), T::as_f32(x), T::as_f32(w))
        && let Some(y) = T::from_f32(winograd::forward(g, xf, wf))
    {
        return y;
    }
    forward(g, x, w, None, false)
}

/// Backward: input (when `need.0`), weight and bias (when `need.1`) gradients from the output gradient `gy`
/// (already masked by ReLU), one GEMM pair per chunk of images as in [`forward`].
pub(super) fn backward<T: Elem>(
    g: &Geom,
    x: &[T],
    w: &[T],
    gy: &[T],
    (need_dx, need_db): (bool, bool),
) -> (Option<Vec<T>>, Vec<T>, Option<Vec<T>>) {
    // The input gradient of a stride-1 "same" 3x3 conv is the same-size conv of the output
    // gradient with the kernels rotated and the channels swapped: Winograd's too.
    let gt = g.transposed();
    if need_dx && winograd::applies::<T>(&gt) {
        let (_, dw, db) = backward(g, x, w, gy, (false, need_db));
        return (
            Some(forward_train(&gt, gy, &winograd::rotated(g, w))),
            dw,
            db,
        );
    }
    let (p, co) = (g.p(), g.co);
    let in_len = g.c * g.h * g.w;
    let zero = T::from_f64(0.0);
    let taps = Taps::new::<T>(g);
    let k = taps.k(g);
    let w = &*taps.compact(g, w);
    // SAFETY: every chunk zeroes or overwrites its own images' blocks before adding into them.
    let mut dx = if need_dx {
        unsafe { scratch::<T>(g.n * in_len) }
    } else {
        Vec::new()
    };
    let chunks = plan(g, k);
    let inner = spread_inside(chunks.len());
    let dxp = SendPtr(dx.as_mut_ptr());
    let partial = each_chunk(chunks, inner, |r| {
        let m = r.len();
        let ld = m * p;
        // SAFETY: the weight-gradient GEMM below overwrites it (no accumulation).
        let mut dw = unsafe { scratch::<T>(co * k) };
        let mut db = vec![0f64; co];
        let (mut col, mut dcol): (Vec<T>, Vec<T>);
        let gbuf: Vec<T>;
        let gc = &gy[r.start * co * p..r.end * co * p];
        // gy of the chunk as one (Co, m*P) matrix.
        let gm: &[T] = if m == 1 {
            gc
        } else {
            // SAFETY: every image's rows are copied in below.
            let mut buf: Vec<T> = unsafe { scratch(co * ld) };
            if inner {
                buf.par_chunks_mut(ld).enumerate().for_each(|(c, row)| {
                    for (j, dst) in row.chunks_exact_mut(p).enumerate() {
                        dst.copy_from_slice(&gc[(j * co + c) * p..][..p]);
                    }
                });
            } else {
                for (j, img) in gc.chunks_exact(co * p).enumerate() {
                    for (c, row) in img.chunks_exact(p).enumerate() {
                        buf[c * ld + j * p..][..p].copy_from_slice(row);
                    }
                }
            }
            gbuf = buf;
            &gbuf
        };
        if need_db {
            for (d, row) in db.iter_mut().zip(gm.chunks_exact(ld)) {
                *d += sums::sum(row);
            }
        }
        // SAFETY: im2row writes every row of every image in full.
        col = unsafe { scratch(ld * k) };
        let image = |hwc: &mut Vec<T>, (j, rows): (usize, &mut [T])| {
            let i = r.start + j;
            taps.im2row(g, &x[i * in_len..(i + 1) * in_len], hwc, rows);
        };
        if inner {
            col.par_chunks_mut(p * k)
                .enumerate()
                .for_each_init(Vec::new, image);
        } else {
            let mut hwc = Vec::new();
            col.chunks_mut(p * k)
                .enumerate()
                .for_each(|t| image(&mut hwc, t));
        }
        // dW (Co, K) = gy (Co, m*P) * rows (m*P, K), K tap-major until untransposed below
        unsafe {
            gemm_rm(
                (co, k, ld),
                dw.as_mut_ptr(),
                k,
                false,
                (gm.as_ptr(), ld, 1),
                (col.as_ptr(), k, 1),
                gemm_threads(inner),
            );
        }
        if !need_dx {
            return (dw, db);
        }
        // SAFETY: each chunk writes only its own images' input-gradient blocks.
        let dxc =
            unsafe { std::slice::from_raw_parts_mut(dxp.get().add(r.start * in_len), m * in_len) };
        let direct = g.pointwise() && m == 1;
        let target = if direct {
            dcol = Vec::new();
            dxc.as_mut_ptr()
        } else {
            // SAFETY: the GEMM overwrites it (no accumulation).
            dcol = unsafe { scratch(k * ld) };
            dcol.as_mut_ptr()
        };
        // dcols (K, m*P) = W^T (K, Co) * gy (Co, m*P)
        unsafe {
            gemm_rm(
                (k, ld, co),
                target,
                ld,
                false,
                (w.as_ptr(), 1, k),
                (gm.as_ptr(), ld, 1),
                gemm_threads(inner),
            );
        }
        if !direct {
            // Image j's input channel c, from its rows of the chunk's column gradient.
            let (hw, rows) = (g.h * g.w, taps.live.len() * ld);
            let plane = |padded: &mut Vec<T>, (i, d): (usize, &mut [T])| {
                let (j, c) = (i / g.c, i % g.c);
                let src = &dcol[c * rows + j * p..];
                if g.pointwise() {
                    d.copy_from_slice(&src[..p]);
                } else {
                    d.fill(zero);
                    taps.col2im_channel(g, src, ld, d, padded);
                }
            };
            if inner {
                dxc.par_chunks_mut(hw)
                    .enumerate()
                    .for_each_init(Vec::new, plane);
            } else {
                // Image by image, zeroed whole: on maps of a few pixels with hundreds of channels
                // a call per plane cost more than the work.
                let mut padded = Vec::new();
                for (j, dxi) in dxc.chunks_exact_mut(in_len).enumerate() {
                    if g.pointwise() {
                        for (c, d) in dxi.chunks_exact_mut(p).enumerate() {
                            d.copy_from_slice(&dcol[c * ld + j * p..][..p]);
                        }
                        continue;
                    }
                    dxi.fill(zero);
                    for (c, d) in dxi.chunks_exact_mut(hw).enumerate() {
                        taps.col2im_channel(g, &dcol[c * rows + j * p..], ld, d, &mut padded);
                    }
                }
            }
        }
        (dw, db)
    });
    let (mut dw, db) = tree_sum(partial).unwrap_or_else(|| (vec![zero; co * k], vec![0.0; co]));
    dw = taps.untranspose(g, &dw);
    if taps.pruned(g) {
        dw = taps.expand(g, &dw);
    }
    let db = need_db.then(|| db.into_iter().map(T::from_f64).collect());
    (need_dx.then_some(dx), dw, db)
}
