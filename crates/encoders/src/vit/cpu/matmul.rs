//! Row-major GEMMs of the CPU ViT path on the `gemm` crate, and the row-parallel helpers.
//!
//! The token GEMMs (qkv, proj, fc1, fc2, patch embedding) have thousands of rows, so the rows
//! are split into one block per thread, each multiplied single-threaded: measured faster than
//! candle's matmul and than gemm's own threading on these shapes
//! (`cargo run --release -p sslinv-encoders --example vit_gemm`).

use gemm::Parallelism;
use rayon::prelude::*;

/// Rows per parallel task of the elementwise passes.
const ROW_GRAIN: usize = 16;

/// `out[m x n] (+)= a[m x k] * w[n x k]^T`; `accumulate` adds to what `out` holds.
pub fn matmul_wt(a: &[f32], w: &[f32], out: &mut [f32], k: usize, n: usize, accumulate: bool) {
    let m = a.len() / k;
    debug_assert_eq!(out.len(), m * n);
    debug_assert_eq!(w.len(), n * k);
    let threads = rayon::current_num_threads().max(1);
    // At least 64 rows per block: gemm's micro-kernels want tall panels.
    let rows = m.div_ceil(threads).max(64);
    out.par_chunks_mut(rows * n)
        .zip(a.par_chunks(rows * k))
        .for_each(|(o, a)| {
            // SAFETY: `o` is (a.len() / k) x n, `a` is that many rows of k, `w` is n x k; the
            // strides below address exactly those elements and `o` aliases neither input.
            unsafe { gemm_rm(a.len() / k, n, k, o, a, w, accumulate, Parallelism::None) }
        });
}

/// One single-call GEMM `out = a * w^T` with row-major `a` (m x k) and `w` (n x k).
///
/// # Safety
/// `out` must hold m x n, `a` m x k and `w` n x k elements.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_rm(
    m: usize,
    n: usize,
    k: usize,
    out: &mut [f32],
    a: &[f32],
    w: &[f32],
    accumulate: bool,
    par: Parallelism,
) {
    let (n_s, k_s) = (n as isize, k as isize);
    unsafe {
        gemm_strided(
            (m, n, k),
            (out.as_mut_ptr(), n_s, accumulate),
            (a.as_ptr(), k_s),
            (w.as_ptr(), k_s, 1),
            par,
        )
    }
}

/// `dst (+)= lhs * rhs` for `(m, n, k)`: `dst` m x n with row stride `dst.1` (adding to it when
/// `dst.2`), `lhs` m x k with row stride `lhs.1`, `rhs` k x n addressed by its (column, row)
/// strides `rhs.1`, `rhs.2`; every matrix has unit stride along its other axis except `rhs`.
///
/// # Safety
/// The pointers must cover every addressed element and `dst` must not alias the inputs.
pub unsafe fn gemm_strided(
    (m, n, k): (usize, usize, usize),
    dst: (*mut f32, isize, bool),
    lhs: (*const f32, isize),
    rhs: (*const f32, isize, isize),
    par: Parallelism,
) {
    unsafe {
        gemm::gemm(
            m, n, k, dst.0, 1, dst.1, dst.2, lhs.0, 1, lhs.1, rhs.0, rhs.1, rhs.2, 1.0, 1.0, false,
            false, false, par,
        );
    }
}

/// Runs `f(row_index, row)` over the `width`-wide rows of `buf` in parallel.
pub fn par_rows(buf: &mut [f32], width: usize, f: impl Fn(usize, &mut [f32]) + Sync) {
    buf.par_chunks_mut(width * ROW_GRAIN)
        .enumerate()
        .for_each(|(c, chunk)| {
            for (i, row) in chunk.chunks_exact_mut(width).enumerate() {
                f(c * ROW_GRAIN + i, row);
            }
        });
}

/// Runs `f(src_row, dst_row)` over matching rows of `src` and `dst` in parallel.
pub fn par_rows2(
    src: &[f32],
    dst: &mut [f32],
    width: usize,
    f: impl Fn(&[f32], &mut [f32]) + Sync,
) {
    dst.par_chunks_mut(width * ROW_GRAIN)
        .zip(src.par_chunks(width * ROW_GRAIN))
        .for_each(|(d, s)| {
            for (dr, sr) in d.chunks_exact_mut(width).zip(s.chunks_exact(width)) {
                f(sr, dr);
            }
        });
}

/// Adds `bias` to every row of `buf`.
pub fn add_bias(buf: &mut [f32], bias: &[f32]) {
    par_rows(buf, bias.len(), |_, row| {
        row.iter_mut().zip(bias).for_each(|(v, b)| *v += b)
    });
}
