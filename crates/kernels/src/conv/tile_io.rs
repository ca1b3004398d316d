//! Winograd F(2x2, 3x3)'s reads and writes of a channel plane: its overlapping 4x4 input tiles
//! (stride 2, one pixel of zero padding) gathered into rows by tile position, and the 2x2 output
//! blocks written back. On AVX-512 a row of 16 tiles is four masked loads and four permutes per
//! tile row; the portable loops copy value by value. Copies only: the same values either way.

/// Tile rows and columns of an `h x w` map.
pub(super) fn tile_counts(h: usize, w: usize) -> (usize, usize) {
    (h.div_ceil(2), w.div_ceil(2))
}

/// Writes tile `t`'s value at row `i`, column `j` to `d[(4i + j) * ld + t]` for every tile of the
/// `h x w` plane (tiles in row order): input pixel `(2ty - 1 + i, 2tx - 1 + j)`, zero outside.
pub(super) fn gather(plane: &[f32], (h, w): (usize, usize), d: &mut [f32], ld: usize) {
    let (th, tw) = tile_counts(h, w);
    for ty in 0..th {
        for i in 0..4 {
            let r = (2 * ty + i).checked_sub(1).filter(|&r| r < h);
            for j in 0..4 {
                let row = &mut d[(4 * i + j) * ld + ty * tw..][..tw];
                for (tx, v) in row.iter_mut().enumerate() {
                    let c = (2 * tx + j).checked_sub(1).filter(|&c| c < w);
                    *v = match (r, c) {
                        (Some(r), Some(c)) => plane[r * w + c],
                        _ => 0.0,
                    };
                }
            }
        }
    }
}

/// Writes output pixel `(2ty + i, 2tx + j)` of the `h x w` plane from `y[(2i + j) * ld + t]`,
/// `t` being tile `(ty, tx)` in row order (pixels past an odd edge are dropped).
pub(super) fn scatter(y: &[f32], ld: usize, (h, w): (usize, usize), plane: &mut [f32]) {
    let (_, tw) = tile_counts(h, w);
    for r in 0..h {
        let (ty, i) = (r / 2, r % 2);
        for c in 0..w {
            let (tx, j) = (c / 2, c % 2);
            plane[r * w + c] = y[(2 * i + j) * ld + ty * tw + tx];
        }
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx512 {
    use std::arch::x86_64::*;

    /// Lanes of one register of f32.
    const L: usize = 16;

    /// Mask of lanes `l` with `lo <= start + l < hi` among 16 lanes.
    fn lanes(start: isize, lo: isize, hi: isize) -> __mmask16 {
        let (a, b) = ((lo - start).clamp(0, 16), (hi - start).clamp(0, 16));
        (((1u32 << b) - 1) & !((1u32 << a) - 1)) as __mmask16
    }

    /// Tiles `tx0..tx0 + 16` of every tile row: the lane masks of their input row loads and
    /// output row stores, the same in every row of a plane (computed once, not per row).
    pub(crate) struct Span {
        tx0: usize,
        /// Input columns from `2tx0 - 1 + LOAD_AT[k]` inside the row.
        load: [__mmask16; 4],
        /// Output columns from `2tx0` and `2tx0 + 16` inside the row.
        store: [__mmask16; 2],
    }

    impl Span {
        /// The first tile of the span.
        pub(crate) fn tx0(&self) -> usize {
            self.tx0
        }
    }

    /// Where the four loads of an input row start, from column `2tx0 - 1`: 32 values from there
    /// hold columns `j = 0, 1` of 16 tiles as even and odd lanes, 32 from two on `j = 2, 3`.
    const LOAD_AT: [usize; 4] = [0, 16, 2, 18];

    /// The spans of 16 tiles that cover a tile row of a map `w` wide.
    pub(crate) fn spans(w: usize) -> Vec<Span> {
        let (wi, tw) = (w as isize, w.div_ceil(2));
        (0..tw)
            .step_by(L)
            .map(|tx0| {
                let s = 2 * tx0 as isize - 1;
                let c = 2 * tx0 as isize;
                Span {
                    tx0,
                    load: LOAD_AT.map(|k| lanes(s + k as isize, 0, wi)),
                    store: [c, c + 16].map(|c| lanes(c, 0, wi)),
                }
            })
            .collect()
    }

    /// The even (`sel = 0`) or odd (`sel = 1`) lanes of the 32 values `lo, hi`.
    #[target_feature(enable = "avx512f")]
    #[inline]
    fn pick(lo: __m512, hi: __m512, sel: i32) -> __m512 {
        let idx = _mm512_add_epi32(
            _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30),
            _mm512_set1_epi32(sel),
        );
        _mm512_permutex2var_ps(lo, idx, hi)
    }

    /// The 16 values (position `4i + j`, as in [`super::gather`]) of the span's tiles in tile
    /// row `ty` of the `h x w` plane at `plane`, one tile per lane; lanes past the row's tiles
    /// hold anything.
    ///
    /// # Safety
    /// `plane` points to `h * w` values; AVX-512F is available.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) unsafe fn load_tiles(
        plane: *const f32,
        (h, w): (usize, usize),
        ty: usize,
        span: &Span,
    ) -> [__m512; 16] {
        let mut out = [_mm512_setzero_ps(); 16];
        let s = 2 * span.tx0 as isize - 1;
        for i in 0..4 {
            let r = (2 * ty + i) as isize - 1;
            if !(0..h as isize).contains(&r) {
                continue;
            }
            let row = plane.wrapping_offset(r * w as isize + s);
            // SAFETY: only lanes inside the row (columns 0..w) are read.
            let load = |k: usize| unsafe {
                _mm512_maskz_loadu_ps(span.load[k], row.wrapping_add(LOAD_AT[k]))
            };
            let (a0, a1, b0, b1) = (load(0), load(1), load(2), load(3));
            // Columns from 2tx0 - 1 (j = 0, 1 as even and odd lanes) and from 2tx0 + 1 (j = 2, 3).
            out[4 * i] = pick(a0, a1, 0);
            out[4 * i + 1] = pick(a0, a1, 1);
            out[4 * i + 2] = pick(b0, b1, 0);
            out[4 * i + 3] = pick(b0, b1, 1);
        }
        out
    }

    /// Writes the 2x2 output blocks `y[2i + j]` (one tile per lane, as in [`super::scatter`]) of
    /// the span's tiles in tile row `ty` to the `h x w` plane at `plane`; pixels outside the
    /// plane are not written.
    ///
    /// # Safety
    /// `plane` points to `h * w` values; AVX-512F is available.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) unsafe fn store_tiles(
        plane: *mut f32,
        (h, w): (usize, usize),
        ty: usize,
        span: &Span,
        y: [__m512; 4],
    ) {
        let lo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        let hi = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        for i in 0..2 {
            let r = 2 * ty + i;
            if r >= h {
                break;
            }
            let (e, o) = (y[2 * i], y[2 * i + 1]);
            let dst = plane.wrapping_add(r * w + 2 * span.tx0);
            // SAFETY: lanes past column w are masked off.
            unsafe {
                _mm512_mask_storeu_ps(dst, span.store[0], _mm512_permutex2var_ps(e, lo, o));
                let second = _mm512_permutex2var_ps(e, hi, o);
                _mm512_mask_storeu_ps(dst.wrapping_add(L), span.store[1], second);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Input pixel `(r, c)` of the plane, zero outside.
    fn pixel(plane: &[f32], (h, w): (usize, usize), r: isize, c: isize) -> f32 {
        if (0..h as isize).contains(&r) && (0..w as isize).contains(&c) {
            plane[r as usize * w + c as usize]
        } else {
            0.0
        }
    }

    const SIZES: [(usize, usize); 9] = [
        (1, 1),
        (2, 2),
        (3, 5),
        (4, 4),
        (7, 7),
        (8, 33),
        (16, 16),
        (5, 64),
        (2, 70),
    ];

    #[test]
    fn gather_and_scatter_match_the_pixel_definition_on_odd_even_and_wide_maps() {
        for (h, w) in SIZES {
            let plane: Vec<f32> = (0..h * w).map(|i| i as f32 + 1.0).collect();
            let (th, tw) = tile_counts(h, w);
            let ld = th * tw + 3;
            let mut d = vec![-1.0; 16 * ld];
            gather(&plane, (h, w), &mut d, ld);
            for (ty, tx, p) in
                (0..th).flat_map(|a| (0..tw).flat_map(move |b| (0..16).map(move |p| (a, b, p))))
            {
                let (r, c) = ((2 * ty + p / 4) as isize - 1, (2 * tx + p % 4) as isize - 1);
                let want = pixel(&plane, (h, w), r, c);
                assert_eq!(
                    d[p * ld + ty * tw + tx],
                    want,
                    "{h}x{w} tile {ty},{tx} at {p}"
                );
            }
            assert!(
                (0..16).all(|p| d[p * ld + th * tw..][..3] == [-1.0; 3]),
                "{h}x{w}: overrun"
            );
            let y: Vec<f32> = (0..4 * ld).map(|i| i as f32).collect();
            let mut out = vec![-1.0; h * w + 1];
            scatter(&y, ld, (h, w), &mut out[..h * w]);
            for r in 0..h {
                for c in 0..w {
                    let want = y[(2 * (r % 2) + c % 2) * ld + (r / 2) * tw + c / 2];
                    assert_eq!(out[r * w + c], want, "{h}x{w} pixel {r},{c}");
                }
            }
            assert_eq!(out[h * w], -1.0, "{h}x{w}: overrun");
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn register_loads_and_stores_match_the_pixel_definition() {
        use std::arch::x86_64::*;
        if !crate::simd::has_wide() {
            return;
        }
        for (h, w) in SIZES {
            let plane: Vec<f32> = (0..h * w).map(|i| i as f32 + 1.0).collect();
            let (th, tw) = tile_counts(h, w);
            let mut out = vec![-1.0; h * w + 1];
            let spans = avx512::spans(w);
            for (ty, span) in (0..th).flat_map(|ty| spans.iter().map(move |s| (ty, s))) {
                let tx0 = span.tx0();
                // SAFETY: AVX-512F checked; the plane holds h * w values.
                let regs = unsafe { avx512::load_tiles(plane.as_ptr(), (h, w), ty, span) };
                for (p, reg) in regs.iter().enumerate() {
                    let mut lanes = [0f32; 16];
                    // SAFETY: 16 lanes into 16 values.
                    unsafe { _mm512_storeu_ps(lanes.as_mut_ptr(), *reg) };
                    for (l, &v) in lanes.iter().enumerate().take(tw - tx0) {
                        let (r, c) = (
                            (2 * ty + p / 4) as isize - 1,
                            (2 * (tx0 + l) + p % 4) as isize - 1,
                        );
                        assert_eq!(
                            v,
                            pixel(&plane, (h, w), r, c),
                            "{h}x{w} tile {ty},{} at {p}",
                            tx0 + l
                        );
                    }
                }
                // Output pixel (2ty + i, 2tx + j) gets the value 1000 * (2i + j) + tx.
                let y = std::array::from_fn(|q| {
                    let v: [f32; 16] = std::array::from_fn(|l| (1000 * q + tx0 + l) as f32);
                    // SAFETY: 16 values into one register.
                    unsafe { _mm512_loadu_ps(v.as_ptr()) }
                });
                // SAFETY: AVX-512F checked; out holds h * w values.
                unsafe { avx512::store_tiles(out.as_mut_ptr(), (h, w), ty, span, y) };
            }
            for r in 0..h {
                for c in 0..w {
                    let want = (1000 * (2 * (r % 2) + c % 2) + c / 2) as f32;
                    assert_eq!(out[r * w + c], want, "{h}x{w} pixel {r},{c}");
                }
            }
            assert_eq!(out[h * w], -1.0, "{h}x{w}: overrun");
        }
    }
}
