//! Winograd's input and output transforms on maps of at most 4 tiles (4x4 and smaller), on
//! AVX-512: a register holds 16 consecutive tiles of the chunk from several images (4 images of
//! 4x4, 16 of 2x2), read with gathers and written with scatters. Row by row (`winograd_avx512`)
//! such a map filled 1 or 2 lanes of each register. Same transforms, so the same values.

use super::Geom;
use super::tile_io::tile_counts;
use super::winograd_avx512::{L, lanes};
use super::winograd_tiles::avx512::{at, bt};
use std::arch::x86_64::*;

/// Whether a map takes this path: 4 tiles or fewer per image (whole images in every group of
/// 16 tiles). An 8x8 map's 16 tiles are faster row by row (1.09-1.14 vs 1.20-1.25 ms for the
/// 64-channel conv of a batch of 64, one thread).
pub(super) fn fits(g: &Geom) -> bool {
    let (th, tw) = tile_counts(g.h, g.w);
    th * tw <= 4 && L.is_multiple_of(th * tw)
}

/// For 16 consecutive tiles starting at an image boundary, per tile position (16 in, or 4 out),
/// each lane's pixel offset from its first image's plane and whether the pixel is inside. Built
/// once per conv call (it depends on the shape only).
pub(super) struct Pattern<const P: usize> {
    idx: [[i32; L]; P],
    inside: [u16; P],
}

/// The pattern of input tile position `4i + j` (`P` = 16: pixel `(2ty - 1 + i, 2tx - 1 + j)`)
/// or output pixel `2i + j` (`P` = 4: `(2ty + i, 2tx + j)`), images `image` values apart.
pub(super) fn pattern<const P: usize>(g: &Geom, image: usize) -> Pattern<P> {
    let (th, tw) = tile_counts(g.h, g.w);
    let (side, shift) = if P == 16 { (4, 1) } else { (2, 0) };
    // Lane l's pixel of position p, if inside the map.
    let pixel = |l: usize, p: usize| {
        let (img, tile) = (l / (th * tw), l % (th * tw));
        let (ty, tx) = (tile / tw, tile % tw);
        let r = (2 * ty + p / side) as isize - shift;
        let c = (2 * tx + p % side) as isize - shift;
        ((0..g.h as isize).contains(&r) && (0..g.w as isize).contains(&c))
            .then(|| (img * image + r as usize * g.w + c as usize) as i32)
    };
    Pattern {
        idx: std::array::from_fn(|p| std::array::from_fn(|l| pixel(l, p).unwrap_or(0))),
        inside: std::array::from_fn(|p| {
            (0..L)
                .filter(|&l| pixel(l, p).is_some())
                .fold(0u16, |m, l| m | 1 << l)
        }),
    }
}

/// The pattern's offsets as registers.
#[target_feature(enable = "avx512f")]
fn offsets<const P: usize>(pat: &Pattern<P>) -> [__m512i; P] {
    // SAFETY: 16 i32 per row.
    pat.idx
        .map(|row| unsafe { _mm512_loadu_si512(row.as_ptr().cast()) })
}

/// As `winograd_avx512::transform_input` where [`fits`]: `B^T d B` of every tile of channel `c`
/// of the chunk's `m` images to `v[p * vs + t]`.
///
/// # Safety
/// `x` holds the images (NCHW as in `g`), `v` covers every position's row, `pat` is
/// `pattern(g, C * H * W)`; AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn transform_input(
    g: &Geom,
    x: &[f32],
    (first, m, c): (usize, usize, usize),
    (v, vs): (*mut f32, usize),
    pat: &Pattern<16>,
) {
    let (th, tw) = tile_counts(g.h, g.w);
    let (tpi, hw) = (th * tw, g.h * g.w);
    let idx = offsets(pat);
    for t0 in (0..m * tpi).step_by(L) {
        let live = lanes(m * tpi - t0);
        let base = x[((first + t0 / tpi) * g.c + c) * hw..].as_ptr();
        // SAFETY: lanes inside the map and among the chunk's tiles read their own pixels.
        unsafe {
            let d = std::array::from_fn(|p| {
                let k = pat.inside[p] & live;
                _mm512_mask_i32gather_ps::<4>(_mm512_setzero_ps(), k, idx[p], base)
            });
            for (p, reg) in bt(d).into_iter().enumerate() {
                _mm512_mask_storeu_ps(v.add(p * vs + t0), live, reg);
            }
        }
    }
}

/// As `winograd_avx512::transform_output` where [`fits`]: `A^T m A` of every tile of output
/// channel `co` of the chunk's `m` images, read at `mo[p * ms + t]`, into their planes of `y`.
///
/// # Safety
/// `mo` covers every position's row, `y` holds the batch's outputs, `pat` is
/// `pattern(g, Co * H * W)`; AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn transform_output(
    g: &Geom,
    mo: *const f32,
    ms: usize,
    (first, m, co): (usize, usize, usize),
    y: *mut f32,
    pat: &Pattern<4>,
) {
    let (th, tw) = tile_counts(g.h, g.w);
    let (tpi, hw) = (th * tw, g.h * g.w);
    let idx = offsets(pat);
    for t0 in (0..m * tpi).step_by(L) {
        let live = lanes(m * tpi - t0);
        let base = y.wrapping_add(((first + t0 / tpi) * g.co + co) * hw);
        // SAFETY: lanes inside the map and among the chunk's tiles write their own pixels.
        unsafe {
            let d = std::array::from_fn(|p| _mm512_maskz_loadu_ps(live, mo.add(p * ms + t0)));
            for (q, reg) in at(d).into_iter().enumerate() {
                _mm512_mask_i32scatter_ps::<4>(base, pat.inside[q] & live, idx[q], reg);
            }
        }
    }
}
