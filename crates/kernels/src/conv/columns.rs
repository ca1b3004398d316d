//! The im2col matrix of a convolution and its adjoint (col2im), restricted to live kernel taps.

use super::Geom;
use super::channels_last::to_channels_last;
use super::masked::TapMasks;
use super::tap_rows::{copy_fixed, tap_rows};
use crate::cpu::Elem;

/// Which kernel taps a convolution's im2col matrix holds, and how each reads the input.
///
/// A tap `(ki, kj)` is dead when every output pixel reads the zero padding through it (a 3x3
/// conv on a 1x1 map keeps only its centre): dead taps are left out of the matrix, so the GEMMs
/// skip work that can only add zeros. Strided convs and maps under 4 pixels wide (where taps
/// die) fill rows through an index map; stride-1 convs on maps of 4 or more copy rows.
pub(crate) struct Taps {
    /// Live taps, as `ki * kw + kj`, in increasing order.
    pub(crate) live: Vec<usize>,
    /// For each live tap and output pixel, the input pixel it reads (`u32::MAX`: padding).
    map: Vec<u32>,
    /// Fill im2col rows by copying row runs (stride 1, maps of 4 or more pixels wide) instead
    /// of through `map`: on 4- and 8-wide maps a fixed-size run beats the indexed gather.
    copy_rows: bool,
    /// im2col and col2im as AVX-512 masked loads (f32, stride 1, output the input's size).
    masked: Option<TapMasks>,
}

impl Taps {
    /// The taps of `g` for values of type `T`: with the masked im2col and col2im where they
    /// apply.
    pub(crate) fn new<T: Elem>(g: &Geom) -> Self {
        let plain = Self::plain(g);
        let masked = if plain.copy_rows {
            TapMasks::new::<T>(g)
        } else {
            None
        };
        Self { masked, ..plain }
    }

    /// The taps of `g`, with the portable im2col and col2im only.
    pub(crate) fn plain(g: &Geom) -> Self {
        let all = g.kh * g.kw;
        let copy_rows = g.stride == 1 && g.ow >= 4;
        let (mut live, mut map) = (Vec::new(), Vec::with_capacity(all * g.p()));
        for ki in 0..g.kh {
            for kj in 0..g.kw {
                let start = map.len();
                for oy in 0..g.oh {
                    let iy = (oy * g.stride + ki).wrapping_sub(g.pad);
                    for ox in 0..g.ow {
                        let ix = (ox * g.stride + kj).wrapping_sub(g.pad);
                        map.push(if iy < g.h && ix < g.w {
                            (iy * g.w + ix) as u32
                        } else {
                            u32::MAX
                        });
                    }
                }
                if !copy_rows && map[start..].iter().all(|&i| i == u32::MAX) {
                    map.truncate(start);
                } else {
                    live.push(ki * g.kw + kj);
                }
            }
        }
        Self {
            live,
            map,
            copy_rows,
            masked: None,
        }
    }

    /// Whether some taps are dead, so weights need compacting.
    pub(crate) fn pruned(&self, g: &Geom) -> bool {
        self.live.len() < g.kh * g.kw
    }

    /// Rows of the im2col matrix: channels times live taps.
    pub(crate) fn k(&self, g: &Geom) -> usize {
        g.c * self.live.len()
    }

    /// Fills one image's columns of an im2col matrix from `x (C, H, W)`: row `r` of the image's
    /// `(C*live, oh*ow)` block starts at `col[r * ld]`, so several images can share one matrix.
    pub(crate) fn im2col<T: Elem>(&self, g: &Geom, x: &[T], col: &mut [T], ld: usize) {
        let mut padded = Vec::new();
        let rows = self.live.len() * ld;
        for (c, plane) in x.chunks_exact(g.h * g.w).enumerate() {
            self.im2col_channel(g, plane, &mut col[c * rows..], ld, &mut padded);
        }
    }

    /// [`Taps::im2col`] for one channel's `plane`: its live taps' rows (stride `ld`) from the
    /// start of `rows`; `padded` is scratch space.
    #[inline(always)]
    pub(crate) fn im2col_channel<T: Elem>(
        &self,
        g: &Geom,
        plane: &[T],
        rows: &mut [T],
        ld: usize,
        padded: &mut Vec<T>,
    ) {
        if let Some(m) = &self.masked {
            return m.im2col_channel(plane, rows, ld);
        }
        let zero = T::from_f64(0.0);
        let p = g.p();
        if !self.copy_rows {
            for (j, map) in self.map.chunks_exact(p).enumerate() {
                let row = &mut rows[j * ld..][..p];
                for (d, &i) in row.iter_mut().zip(map) {
                    *d = plane.get(i as usize).copied().unwrap_or(zero);
                }
            }
            return;
        }
        // Through a copy of the plane with its left and right padding, every output row of a tap
        // is one run of `ow` values: fixed-size copies for the usual widths, where a call into
        // libc per few values cost more than the copy.
        let pw = g.w + 2 * g.pad;
        padded.resize(g.h * pw, zero);
        for (prow, src) in padded.chunks_exact_mut(pw).zip(plane.chunks_exact(g.w)) {
            prow[g.pad..][..g.w].copy_from_slice(src);
        }
        match g.ow {
            4 => tap_rows(g, padded, rows, ld, copy_fixed::<T, 4>),
            8 => tap_rows(g, padded, rows, ld, copy_fixed::<T, 8>),
            16 => tap_rows(g, padded, rows, ld, copy_fixed::<T, 16>),
            32 => tap_rows(g, padded, rows, ld, copy_fixed::<T, 32>),
            _ => tap_rows(g, padded, rows, ld, |d: &mut [T], s: &[T]| {
                d.copy_from_slice(s)
            }),
        }
    }

    /// Fills the transposed im2col matrix of one image, `(oh*ow, live*C)`: each output pixel's
    /// receptive field as one contiguous row, tap-major (`t*C + c`; see [`Taps::untranspose`]).
    /// The weight-gradient GEMM reduces over pixels, and gemm packs this layout far faster than
    /// the column layout (4x on 16-channel layers). The image goes through a channels-last copy
    /// `hwc` first, so every tap is one contiguous run of C values.
    pub(crate) fn im2row<T: Elem>(&self, g: &Geom, x: &[T], hwc: &mut Vec<T>, rows: &mut [T]) {
        let (hw, c) = (g.h * g.w, g.c);
        // Reused for every image of a chunk: sized once, each image overwrites all of it.
        hwc.resize(hw * c, T::from_f64(0.0));
        to_channels_last(x, hw, c, hwc);
        // Runs of the layers' usual channel counts are fixed-size copies, inlined as a few vector
        // moves; a call into libc's memmove per run cost more than the copy.
        match c {
            16 => self.gather_runs(g, hwc, rows, copy_fixed::<T, 16>),
            32 => self.gather_runs(g, hwc, rows, copy_fixed::<T, 32>),
            64 => self.gather_runs(g, hwc, rows, copy_fixed::<T, 64>),
            _ => self.gather_runs(g, hwc, rows, |d: &mut [T], s: &[T]| d.copy_from_slice(s)),
        }
    }

    /// Fills [`Taps::im2row`]'s rows from the channels-last image, one run of C values per tap.
    #[inline(always)]
    fn gather_runs<T: Elem>(
        &self,
        g: &Geom,
        hwc: &[T],
        rows: &mut [T],
        copy: impl Fn(&mut [T], &[T]),
    ) {
        let (p, nl, c, zero) = (g.p(), self.live.len(), g.c, T::from_f64(0.0));
        for (pix, row) in rows.chunks_exact_mut(c * nl).enumerate().take(p) {
            for (dst, map) in row.chunks_exact_mut(c).zip(self.map.chunks_exact(p)) {
                let o = map[pix];
                if o == u32::MAX {
                    dst.fill(zero);
                } else {
                    copy(dst, &hwc[o as usize * c..][..c]);
                }
            }
        }
    }

    /// Adds one channel's rows of an image's im2col-shaped gradient (its live taps' rows, stride
    /// `ld`, from the start of `rows`) into its `plane` of `dx`; `padded` is scratch space.
    #[inline(always)]
    pub(crate) fn col2im_channel<T: Elem>(
        &self,
        g: &Geom,
        rows: &[T],
        ld: usize,
        plane: &mut [T],
        padded: &mut Vec<T>,
    ) {
        if let Some(m) = &self.masked {
            return m.col2im_channel(rows, ld, plane);
        }
        match (self.copy_rows, g.ow) {
            (true, 4) => col2im_padded::<T, 4>(g, rows, ld, plane, padded),
            (true, 8) => col2im_padded::<T, 8>(g, rows, ld, plane, padded),
            _ => self.col2im_clipped(g, rows, ld, plane),
        }
    }

    /// [`Taps::col2im_channel`] through the index map (strided convs, maps under 4 wide) or as
    /// clipped row runs (stride 1).
    #[inline(always)]
    fn col2im_clipped<T: Elem>(&self, g: &Geom, rows: &[T], ld: usize, plane: &mut [T]) {
        let p = g.p();
        if !self.copy_rows {
            for (j, map) in self.map.chunks_exact(p).enumerate() {
                let row = &rows[j * ld..][..p];
                for (&v, &i) in row.iter().zip(map) {
                    if let Some(d) = plane.get_mut(i as usize) {
                        *d += v;
                    }
                }
            }
            return;
        }
        for ki in 0..g.kh {
            for kj in 0..g.kw {
                let row = &rows[(ki * g.kw + kj) * ld..][..p];
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

/// [`Taps::col2im_channel`] for stride-1 convs on maps `OW` wide (4 and 8: the last ResNet
/// stages), through a zeroed copy of the plane with its padding: every output row of a tap is then
/// one run of `OW` values, added without clipping, where the clipped runs of a few values each
/// were a quarter of a 4-wide layer's backward pass. Each input pixel gets the same terms in the
/// same (tap) order, and sums that start from +0 never become -0, so the values are the same bits.
#[inline(always)]
fn col2im_padded<T: Elem, const OW: usize>(
    g: &Geom,
    rows: &[T],
    ld: usize,
    plane: &mut [T],
    padded: &mut Vec<T>,
) {
    let p = g.p();
    let pw = g.w + 2 * g.pad;
    padded.clear();
    padded.resize((g.h + 2 * g.pad) * pw, T::from_f64(0.0));
    for ki in 0..g.kh {
        for kj in 0..g.kw {
            let row = &rows[(ki * g.kw + kj) * ld..][..p];
            for (oy, src) in row.chunks_exact(OW).enumerate() {
                let dst: &mut [T; OW] = (&mut padded[(oy + ki) * pw + kj..][..OW])
                    .try_into()
                    .expect("run of OW");
                for (d, &v) in dst.iter_mut().zip(src) {
                    *d += v;
                }
            }
        }
    }
    for (d, prow) in plane
        .chunks_exact_mut(g.w)
        .zip(padded[g.pad * pw..].chunks_exact(pw))
    {
        d.iter_mut().zip(&prow[g.pad..]).for_each(|(d, &v)| *d += v);
    }
}

/// The output columns `lo..hi` of kernel column `kj` that read inside the image, and the input
/// column the first of them reads (stride 1).
fn valid_cols(g: &Geom, kj: usize) -> (usize, usize, usize) {
    let lo = g.pad.saturating_sub(kj).min(g.ow);
    let hi = (g.w + g.pad).saturating_sub(kj).clamp(lo, g.ow);
    (lo, hi, (lo + kj).saturating_sub(g.pad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn im2col_rows_match_the_index_map() {
        // Stride 1 (row copies on the widths with fixed runs) and stride 2 (the index map).
        for (c, hw, k, s, pad) in [
            (2, 8, 3, 1, 1),
            (2, 16, 3, 2, 1),
            (3, 8, 3, 2, 1),
            (1, 32, 3, 2, 1),
            (2, 9, 3, 2, 0),
        ] {
            let g = Geom::from_shapes(&[1, c, hw, hw], &[1, c, k, k], s, pad);
            let taps = Taps::plain(&g);
            let x: Vec<f32> = (0..c * hw * hw).map(|i| i as f32 + 0.5).collect();
            let mut col = vec![f32::NAN; taps.k(&g) * g.p()];
            taps.im2col(&g, &x, &mut col, g.p());
            let nl = taps.live.len();
            for (ch, plane) in x.chunks_exact(hw * hw).enumerate() {
                for (j, map) in taps.map.chunks_exact(g.p()).enumerate() {
                    for (px, &i) in map.iter().enumerate() {
                        let want = plane.get(i as usize).copied().unwrap_or(0.0);
                        let got = col[(ch * nl + j) * g.p() + px];
                        assert_eq!(got.to_bits(), want.to_bits(), "{g:?} channel {ch} tap {j}");
                    }
                }
            }
        }
    }

    #[test]
    fn padded_col2im_gives_the_clipped_bits() {
        // (channels, map side, kernel, padding): the 4- and 8-wide maps of the padded path.
        for (c, hw, k, pad) in [
            (3, 4, 3, 1),
            (2, 8, 3, 1),
            (2, 10, 3, 0),
            (2, 8, 5, 2),
            (1, 6, 3, 0),
            (2, 6, 5, 1),
        ] {
            let g = Geom::from_shapes(&[1, c, hw, hw], &[1, c, k, k], 1, pad);
            let taps = Taps::plain(&g);
            assert!(taps.copy_rows && matches!(g.ow, 4 | 8), "{g:?}");
            let len = taps.k(&g) * g.p();
            // Mixed signs, exact zeros of both signs and values far apart in magnitude, so that
            // any change in the order of the additions shows in the bits.
            let col: Vec<f32> = (0..len)
                .map(|i| match i % 7 {
                    0 => 0.0,
                    1 => -0.0,
                    _ => ((i * 2654435761) % 1000) as f32 * 1e-3 - 0.5 + (i % 3) as f32 * 1e4,
                })
                .collect();
            let (mut fast, mut slow) = (vec![0f32; c * hw * hw], vec![0f32; c * hw * hw]);
            let (rows, mut padded) = (taps.live.len() * g.p(), Vec::new());
            for (ch, plane) in fast.chunks_exact_mut(hw * hw).enumerate() {
                taps.col2im_channel(&g, &col[ch * rows..], g.p(), plane, &mut padded);
            }
            for (ch, plane) in slow.chunks_exact_mut(hw * hw).enumerate() {
                taps.col2im_clipped(&g, &col[ch * rows..], g.p(), plane);
            }
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&fast), bits(&slow), "{g:?}");
        }
    }
}
