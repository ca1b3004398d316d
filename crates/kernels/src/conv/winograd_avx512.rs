//! Winograd F(2x2, 3x3) on AVX-512 in three passes per chunk of images, each value written once:
//! input tiles loaded from the planes and transformed in registers, straight into the GEMM
//! operand; the 16 GEMMs as broadcast-FMA blocks over that operand where it lies (no packing:
//! with 16-128 channels gemm's copy of the operand cost as much as the products); and products
//! transformed back in registers and stored into the output planes. The portable path
//! (`winograd.rs`) writes the tiles out between passes and multiplies with `gemm`: its sums are
//! the same terms in another order.

use super::Geom;
use super::tile_io::avx512::{load_tiles, spans, store_tiles};
use super::tile_io::tile_counts;
use super::winograd_tiles::avx512::{at, bt};
use std::arch::x86_64::*;

/// Lanes of one register of f32.
const L: usize = 16;

/// Mask of the first `n` lanes (all 16 from 16 on).
fn lanes(n: usize) -> __mmask16 {
    ((1u32 << n.min(L)) - 1) as __mmask16
}

/// Writes `B^T d B` of every tile of channel `c` of the `m` images of `x` from image `first` to
/// `v[p * vs + j * tpi + t]` (position `p`, image `j` of the chunk, tile `t` of the image).
///
/// # Safety
/// `x` holds those images (NCHW as in `g`); `v` covers every position's row; AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn transform_input(
    g: &Geom,
    x: &[f32],
    (first, m, c): (usize, usize, usize),
    v: *mut f32,
    vs: usize,
) {
    let (th, tw) = tile_counts(g.h, g.w);
    let hw = g.h * g.w;
    let spans = spans(g.w);
    for j in 0..m {
        let plane = x[((first + j) * g.c + c) * hw..][..hw].as_ptr();
        // The plane read next (this channel of the next image, else the next channel of the
        // chunk's first image), fetched a slice per tile row: a plane of 32x32 is one 4 KiB
        // page, where the hardware prefetchers stop, so each plane began with a run of misses.
        let next = if j + 1 < m {
            Some(((first + j + 1) * g.c + c) * hw)
        } else {
            (c + 1 < g.c).then(|| (first * g.c + c + 1) * hw)
        };
        for ty in 0..th {
            if let Some(at) = next {
                prefetch_part(&x[at..][..hw], (ty, th));
            }
            for span in &spans {
                let mask = lanes(tw - span.tx0());
                let t = j * th * tw + ty * tw + span.tx0();
                // SAFETY: the plane holds h * w values; lanes past the row's tiles are masked.
                unsafe {
                    let out = bt(load_tiles(plane, (g.h, g.w), ty, span));
                    for (p, reg) in out.into_iter().enumerate() {
                        _mm512_mask_storeu_ps(v.add(p * vs + t), mask, reg);
                    }
                }
            }
        }
    }
}

/// Writes `A^T m A` of every tile of output channel `co` of the chunk's `m` images, read at
/// `mo[p * ms + j * tpi + t]`, into their planes of `y` (image `first + j`).
///
/// # Safety
/// `mo` covers every position's row; `y` holds the images' outputs; AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn transform_output(
    g: &Geom,
    mo: *const f32,
    ms: usize,
    (first, m, co): (usize, usize, usize),
    y: *mut f32,
) {
    let (th, tw) = tile_counts(g.h, g.w);
    let hw = g.h * g.w;
    let spans = spans(g.w);
    for j in 0..m {
        let plane = y.wrapping_add(((first + j) * g.co + co) * hw);
        for ty in 0..th {
            // The lines this tile row writes, fetched before the stores need them.
            if ty + 1 < th {
                let rows = (2 * (ty + 1) * g.w)..((2 * (ty + 2) * g.w).min(hw));
                for line in rows.step_by(L) {
                    _mm_prefetch::<_MM_HINT_T0>(plane.wrapping_add(line) as *const i8);
                }
            }
            for span in &spans {
                let mask = lanes(tw - span.tx0());
                let t = j * th * tw + ty * tw + span.tx0();
                // SAFETY: lanes past the row's tiles are masked; the plane holds h * w values.
                unsafe {
                    let x =
                        std::array::from_fn(|p| _mm512_maskz_loadu_ps(mask, mo.add(p * ms + t)));
                    store_tiles(plane, (g.h, g.w), ty, span, at(x));
                }
            }
        }
    }
}

/// Prefetches part `k` of `parts` of `plane`, a cache line every 16 values.
#[inline]
fn prefetch_part(plane: &[f32], (k, parts): (usize, usize)) {
    let per = plane.len().div_ceil(parts).next_multiple_of(L);
    for at in (k * per..((k + 1) * per).min(plane.len())).step_by(L) {
        // SAFETY: a hint; the address lies inside the plane.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(plane[at..].as_ptr() as *const i8) };
    }
}

/// Output channels per block of the GEMM.
const ROWS: usize = 8;
/// Registers of tiles per block of the GEMM (8 x 3 accumulators).
const VECS: usize = 3;

/// `out[r * ld + t] = sum_k u[r * k_n + k] * v[k * ld + t]` for `r < rows`, `t < n`, summing
/// `k` in order with one fused multiply-add per term.
///
/// # Safety
/// `u` holds `rows * k_n` values, `v` and `out` `k_n` and `rows` rows of stride `ld >= n`; AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn gemm(
    u: *const f32,
    (rows, k_n): (usize, usize),
    v: *const f32,
    (ld, n): (usize, usize),
    out: *mut f32,
) {
    for t0 in (0..n).step_by(L * VECS) {
        let masks: [__mmask16; VECS] =
            std::array::from_fn(|q| lanes((n - t0).saturating_sub(q * L)));
        let mut r0 = 0;
        while r0 < rows {
            // SAFETY: forwarded; blocks stay inside rows and the masked tiles.
            unsafe {
                let (u, o, v) = (u.add(r0 * k_n), out.add(r0 * ld + t0), v.add(t0));
                if rows - r0 >= ROWS {
                    block::<ROWS>(u, k_n, v, ld, masks, o);
                    r0 += ROWS;
                } else {
                    block::<1>(u, k_n, v, ld, masks, o);
                    r0 += 1;
                }
            }
        }
    }
}

/// One block of [`gemm`]: `B` rows by `VECS` registers of tiles, accumulated in registers.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn block<const B: usize>(
    u: *const f32,
    k_n: usize,
    v: *const f32,
    ld: usize,
    masks: [__mmask16; VECS],
    out: *mut f32,
) {
    let mut acc = [[_mm512_setzero_ps(); VECS]; B];
    for k in 0..k_n {
        // SAFETY: row k of v, lanes past n masked; u holds B rows of k_n.
        unsafe {
            let x: [__m512; VECS] =
                std::array::from_fn(|q| _mm512_maskz_loadu_ps(masks[q], v.add(k * ld + q * L)));
            for (r, acc) in acc.iter_mut().enumerate() {
                let s = _mm512_set1_ps(*u.add(r * k_n + k));
                for q in 0..VECS {
                    acc[q] = _mm512_fmadd_ps(s, x[q], acc[q]);
                }
            }
        }
    }
    for (r, acc) in acc.iter().enumerate() {
        for q in 0..VECS {
            // SAFETY: row r of out, lanes past n masked.
            unsafe { _mm512_mask_storeu_ps(out.add(r * ld + q * L), masks[q], acc[q]) };
        }
    }
}
