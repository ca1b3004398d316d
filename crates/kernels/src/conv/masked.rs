//! im2col and col2im of stride-1, same-size convolutions (the 3x3 convs of a ResNet stage) as
//! AVX-512 masked loads over the flattened plane.
//!
//! When the output map has the input's width, tap `(ki, kj)` reads input pixel `l + off` for
//! output pixel `l`, with `off = (ki - pad) * w + (kj - pad)`; the pixels whose read falls in the
//! padding are a fixed pattern per tap. So a tap's im2col row is, 16 pixels at a time, one
//! masked load from the plane (masked lanes read nothing and give zero), and col2im adds each
//! tap's row back with the opposite shift. On 4- and 8-wide maps this replaces runs of 4 or 8
//! values copied one by one through a padded plane.

use super::Geom;
use crate::cpu::Elem;

/// Lanes of one AVX-512 register of f32.
const LANES: usize = 16;

/// Per tap, the shift between output and input pixels and the lane masks of every 16-pixel
/// block, for a conv whose im2col and col2im can run as masked loads.
pub(crate) struct TapMasks {
    /// `off[t]`: input pixel minus output pixel for tap `t` (all `kh * kw` taps, in order).
    off: Vec<isize>,
    /// `read[t * blocks + b]`: which output pixels of block `b` read inside the image via tap `t`.
    read: Vec<u16>,
    /// `write[t * blocks + b]`: which input pixels of block `b` some output pixel reads via tap `t`.
    write: Vec<u16>,
    /// Pixels per plane (input and output alike).
    p: usize,
}

impl TapMasks {
    /// The masks of `g`, where the masked path applies: f32 values on a CPU with AVX-512, stride 1
    /// and an output map the size of the input.
    pub(crate) fn new<T: Elem>(g: &Geom) -> Option<Self> {
        if !(wide_f32::<T>() && g.stride == 1 && g.oh == g.h && g.ow == g.w && g.p() > 0) {
            return None;
        }
        let (p, w) = (g.p(), g.w as isize);
        let blocks = p.div_ceil(LANES);
        let (mut off, mut read, mut write) = (Vec::new(), Vec::new(), Vec::new());
        let inside = |y: isize, x: isize| (0..g.h as isize).contains(&y) && (0..w).contains(&x);
        for ki in 0..g.kh as isize {
            for kj in 0..g.kw as isize {
                let (dy, dx) = (ki - g.pad as isize, kj - g.pad as isize);
                off.push(dy * w + dx);
                let (r, wr) = (read.len(), write.len());
                read.resize(r + blocks, 0u16);
                write.resize(wr + blocks, 0u16);
                // Pixel by pixel in row order (no division per pixel: this runs for every conv
                // call); pixel l is lane l % 16 of block l / 16.
                let mut l = 0;
                for y in 0..g.h as isize {
                    for x in 0..w {
                        // Output pixel (y, x) reads input (y + dy, x + dx); input pixel (y, x)
                        // is read by output (y - dy, x - dx).
                        let bit = 1u16 << (l % LANES);
                        if inside(y + dy, x + dx) {
                            read[r + l / LANES] |= bit;
                        }
                        if inside(y - dy, x - dx) {
                            write[wr + l / LANES] |= bit;
                        }
                        l += 1;
                    }
                }
            }
        }
        Some(Self {
            off,
            read,
            write,
            p,
        })
    }

    /// Panics unless `T` is f32, a plane holds `plane` values and `rows` values hold every
    /// tap's row at stride `ld`: what the AVX-512 loops below rely on.
    fn check<T: Elem>(&self, plane: usize, rows: usize, ld: usize) {
        let taps = self.off.len();
        assert!(is_f32::<T>() && plane >= self.p && rows >= (taps - 1) * ld + self.p);
    }

    /// One channel's im2col rows (all taps, stride `ld`, from the start of `rows`) from its
    /// `plane`.
    pub(crate) fn im2col_channel<T: Elem>(&self, plane: &[T], rows: &mut [T], ld: usize) {
        self.check::<T>(plane.len(), rows.len(), ld);
        // SAFETY: `new` returned Some only on a CPU with AVX-512F; T is f32 and the lengths are
        // checked above.
        unsafe {
            im2col_avx512(
                self,
                plane.as_ptr().cast::<f32>(),
                rows.as_mut_ptr().cast::<f32>(),
                ld,
            )
        }
    }

    /// Adds one channel's im2col-shaped gradient rows (all taps, stride `ld`) into its `plane`,
    /// tap by tap in order, so each pixel gets the sum [`super::columns`]' clipped and padded
    /// col2im give, to the bit (a masked lane adds +0, which leaves a sum started at +0 alone).
    pub(crate) fn col2im_channel<T: Elem>(&self, rows: &[T], ld: usize, plane: &mut [T]) {
        self.check::<T>(plane.len(), rows.len(), ld);
        // SAFETY: as in `im2col_channel`.
        unsafe {
            col2im_avx512(
                self,
                rows.as_ptr().cast::<f32>(),
                ld,
                plane.as_mut_ptr().cast::<f32>(),
            )
        }
    }
}

/// Whether `T` is f32.
fn is_f32<T: Elem>() -> bool {
    std::any::TypeId::of::<T>() == std::any::TypeId::of::<f32>()
}

/// Whether `T` is f32 and the CPU runs AVX-512F.
fn wide_f32<T: Elem>() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        is_f32::<T>() && crate::simd::has_wide()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The mask of the lanes of block `b` inside the plane (all but the last block: every lane).
fn tail(p: usize, b: usize) -> u16 {
    let n = LANES.min(p - b * LANES);
    if n == LANES {
        u16::MAX
    } else {
        (1u16 << n) - 1
    }
}

/// # Safety
/// The CPU must have AVX-512F; `plane` holds `m.p` values and `rows` `(taps - 1) * ld + m.p`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn im2col_avx512(m: &TapMasks, plane: *const f32, rows: *mut f32, ld: usize) {
    use std::arch::x86_64::*;
    let blocks = m.p.div_ceil(LANES);
    for (t, &off) in m.off.iter().enumerate() {
        let row = unsafe { rows.add(t * ld) };
        for b in 0..blocks {
            let at = b * LANES;
            // SAFETY: the read mask holds only lanes whose input pixel `at + lane + off` is inside
            // the plane; masked lanes are not read (and give +0). The store writes lanes inside
            // the row's `p` values.
            unsafe {
                let src = plane.wrapping_offset(at as isize + off);
                let v = _mm512_maskz_loadu_ps(m.read[t * blocks + b], src);
                _mm512_mask_storeu_ps(row.add(at), tail(m.p, b), v);
            }
        }
    }
}

/// # Safety
/// As [`im2col_avx512`], with `rows` read and `plane` updated.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn col2im_avx512(m: &TapMasks, rows: *const f32, ld: usize, plane: *mut f32) {
    use std::arch::x86_64::*;
    let blocks = m.p.div_ceil(LANES);
    for b in 0..blocks {
        let (at, lanes) = (b * LANES, tail(m.p, b));
        // SAFETY: lanes inside the plane only; a tap's lanes read output pixel `at + lane - off`,
        // inside its row wherever the write mask holds the lane.
        unsafe {
            let mut acc = _mm512_maskz_loadu_ps(lanes, plane.add(at));
            for (t, &off) in m.off.iter().enumerate() {
                let src = rows.add(t * ld).wrapping_offset(at as isize - off);
                acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(m.write[t * blocks + b], src));
            }
            _mm512_mask_storeu_ps(plane.add(at), lanes, acc);
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
unsafe fn im2col_avx512(_: &TapMasks, _: *const f32, _: *mut f32, _: usize) {
    unreachable!("TapMasks::new is None off x86-64")
}

#[cfg(not(target_arch = "x86_64"))]
unsafe fn col2im_avx512(_: &TapMasks, _: *const f32, _: usize, _: *mut f32) {
    unreachable!("TapMasks::new is None off x86-64")
}

#[cfg(test)]
mod tests {
    use super::super::columns::Taps;
    use super::*;

    /// Stride-1 same-size shapes `(channels, h, w, kernel, pad)`: the ResNet widths, a map whose
    /// pixels end inside a block (7x7, 5x6, 3x4), a 5x5 kernel, and a 1x1 one.
    const SHAPES: [(usize, usize, usize, usize, usize); 8] = [
        (3, 4, 4, 3, 1),
        (2, 8, 8, 3, 1),
        (2, 16, 16, 3, 1),
        (1, 32, 32, 3, 1),
        (2, 7, 7, 3, 1),
        (2, 5, 6, 3, 1),
        (2, 6, 6, 5, 2),
        (2, 3, 4, 1, 0),
    ];

    /// Values with both signs, exact zeros of both signs and magnitudes far apart, so a change
    /// in the order of additions shows in the bits.
    fn values(n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| match i % 7 {
                0 => 0.0,
                1 => -0.0,
                _ => ((i * 2654435761) % 1000) as f32 * 1e-3 - 0.5 + (i % 3) as f32 * 1e4,
            })
            .collect()
    }

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    fn masks(g: &Geom) -> Option<TapMasks> {
        let m = TapMasks::new::<f32>(g);
        assert_eq!(m.is_some(), crate::simd::has_wide(), "{g:?}");
        assert!(TapMasks::new::<f64>(g).is_none());
        m
    }

    #[test]
    fn masked_im2col_gives_the_portable_rows() {
        for (c, h, w, k, pad) in SHAPES {
            let g = Geom::from_shapes(&[1, c, h, w], &[1, c, k, k], 1, pad);
            let Some(m) = masks(&g) else { return };
            let taps = Taps::plain(&g);
            assert_eq!(taps.live.len(), k * k, "{g:?}");
            // Two images side by side in one matrix, the second at column p.
            let (p, x) = (g.p(), values(c * h * w));
            let ld = 2 * p;
            let (mut fast, mut slow) = (
                vec![f32::NAN; c * k * k * ld],
                vec![f32::NAN; c * k * k * ld],
            );
            let mut padded = Vec::new();
            for (ch, plane) in x.chunks_exact(h * w).enumerate() {
                let at = ch * k * k * ld + p;
                m.im2col_channel(plane, &mut fast[at..], ld);
                taps.im2col_channel(&g, plane, &mut slow[at..], ld, &mut padded);
            }
            assert_eq!(bits(&fast), bits(&slow), "{g:?}");
        }
    }

    #[test]
    fn masked_col2im_gives_the_portable_sums() {
        for (c, h, w, k, pad) in SHAPES {
            let g = Geom::from_shapes(&[1, c, h, w], &[1, c, k, k], 1, pad);
            let Some(m) = masks(&g) else { return };
            let taps = Taps::plain(&g);
            let (p, ld) = (g.p(), 2 * g.p() + 3);
            let col = values(c * k * k * ld);
            let (mut fast, mut slow) = (vec![0f32; c * h * w], vec![0f32; c * h * w]);
            let mut padded = Vec::new();
            for (ch, (f, s)) in fast
                .chunks_exact_mut(p)
                .zip(slow.chunks_exact_mut(p))
                .enumerate()
            {
                let rows = &col[ch * k * k * ld + p..];
                m.col2im_channel(rows, ld, f);
                taps.col2im_channel(&g, rows, ld, s, &mut padded);
            }
            assert_eq!(bits(&fast), bits(&slow), "{g:?}");
        }
    }

    #[test]
    fn masks_only_for_stride_one_same_size_f32() {
        for (stride, pad) in [(2, 1), (1, 0)] {
            let g = Geom::from_shapes(&[1, 2, 8, 8], &[1, 2, 3, 3], stride, pad);
            assert!(TapMasks::new::<f32>(&g).is_none(), "{g:?}");
        }
    }
}
