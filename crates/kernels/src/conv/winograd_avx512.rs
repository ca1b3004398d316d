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
pub(super) const L: usize = 16;

/// Mask of the first `n` lanes (all 16 from 16 on).
pub(super) fn lanes(n: usize) -> __mmask16 {
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

/// Writes `G k G^T` of the 3x3 kernels of `w` (9 values each), 16 kernels at a time, to
/// `u[e * us + q]`; returns how many kernels it did (whole
/// groups of 16; the caller does the rest). The same operations in the same order as
/// `winograd::kernel_transform`: the same bits.
///
/// # Safety
/// AVX-512F; `u` points to 16 rows of stride `us`, each with room for `w.len() / 9` values.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn transform_weights(w: &[f32], (u, us): (*mut f32, usize)) -> usize {
    let pairs = w.len() / 9;
    let groups = pairs / L;
    let half = _mm512_set1_ps(0.5);
    let g = |a: __m512, b: __m512, d: __m512| {
        let (s, t) = (_mm512_add_ps(a, b), _mm512_sub_ps(a, b));
        [
            a,
            _mm512_mul_ps(half, _mm512_add_ps(s, d)),
            _mm512_mul_ps(half, _mm512_add_ps(t, d)),
            d,
        ]
    };
    for grp in 0..groups {
        // The 16 kernels' taps transposed through the stack: cheaper than 9 gathers here.
        let src = &w[grp * L * 9..][..L * 9];
        let mut t = [[0f32; L]; 9];
        for (l, k) in src.chunks_exact(9).enumerate() {
            for (j, &v) in k.iter().enumerate() {
                t[j][l] = v;
            }
        }
        // SAFETY: 16 values per row of t.
        let k: [__m512; 9] = std::array::from_fn(|j| unsafe { _mm512_loadu_ps(t[j].as_ptr()) });
        let cols: [[__m512; 4]; 3] = std::array::from_fn(|j| g(k[j], k[3 + j], k[6 + j]));
        let rows: [[__m512; 4]; 4] = std::array::from_fn(|r| g(cols[0][r], cols[1][r], cols[2][r]));
        for (r, row) in rows.into_iter().enumerate() {
            for (s, v) in row.into_iter().enumerate() {
                // SAFETY: row 4r + s of u has room for this group.
                unsafe { _mm512_storeu_ps(u.add((4 * r + s) * us + grp * L), v) };
            }
        }
    }
    groups * L
}

/// `out[r * ld + t] = sum_k u[r * k_n + k] * v[k * ld + t]` for `r < rows`, `t < n`, summing
/// `k` in order with one fused multiply-add per term. Blocks of 1 to 3 registers of tiles (as
/// many as the tiles fill) by up to 24 rows keep about 24 accumulators in registers.
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
    let mut t0 = 0;
    while t0 < n {
        // SAFETY: forwarded; each call stays inside rows and masks the tiles past n.
        t0 += unsafe {
            match n - t0 {
                1..=16 => strip::<1, 24>(u, (rows, k_n), v.add(t0), (ld, n - t0), out.add(t0)),
                17..=32 => strip::<2, 12>(u, (rows, k_n), v.add(t0), (ld, n - t0), out.add(t0)),
                _ => strip::<3, 8>(u, (rows, k_n), v.add(t0), (ld, n - t0), out.add(t0)),
            }
        };
    }
}

/// All rows of the product for the next `V` registers of tiles (`n` tiles left), in blocks of
/// `B`, then 8, 4 and 1 rows; returns the tiles done.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn strip<const V: usize, const B: usize>(
    u: *const f32,
    (rows, k_n): (usize, usize),
    v: *const f32,
    (ld, n): (usize, usize),
    out: *mut f32,
) -> usize {
    let masks: [__mmask16; V] = std::array::from_fn(|q| lanes(n.saturating_sub(q * L)));
    let mut r0 = 0;
    while r0 < rows {
        // SAFETY: forwarded; each block stays inside rows.
        r0 += unsafe {
            let (u, o) = (u.add(r0 * k_n), out.add(r0 * ld));
            match rows - r0 {
                r if r >= B => block::<B, V>(u, k_n, v, ld, masks, o),
                8.. => block::<8, V>(u, k_n, v, ld, masks, o),
                4.. => block::<4, V>(u, k_n, v, ld, masks, o),
                _ => block::<1, V>(u, k_n, v, ld, masks, o),
            }
        };
    }
    (V * L).min(n)
}

/// One block of [`gemm`]: `B` rows by `V` registers of tiles, accumulated in registers; returns
/// `B`.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn block<const B: usize, const V: usize>(
    u: *const f32,
    k_n: usize,
    v: *const f32,
    ld: usize,
    masks: [__mmask16; V],
    out: *mut f32,
) -> usize {
    let mut acc = [[_mm512_setzero_ps(); V]; B];
    for k in 0..k_n {
        // SAFETY: row k of v, lanes past n masked; u holds B rows of k_n.
        unsafe {
            let x: [__m512; V] =
                std::array::from_fn(|q| _mm512_maskz_loadu_ps(masks[q], v.add(k * ld + q * L)));
            for (r, acc) in acc.iter_mut().enumerate() {
                let s = _mm512_set1_ps(*u.add(r * k_n + k));
                for q in 0..V {
                    acc[q] = _mm512_fmadd_ps(s, x[q], acc[q]);
                }
            }
        }
    }
    for (r, acc) in acc.iter().enumerate() {
        for q in 0..V {
            // SAFETY: row r of out, lanes past n masked.
            unsafe { _mm512_mask_storeu_ps(out.add(r * ld + q * L), masks[q], acc[q]) };
        }
    }
    B
}
