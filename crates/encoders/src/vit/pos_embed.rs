//! Position embeddings resampled to the input's patch grid as timm's `resample_abs_pos_embed`
//! does: the grid part is interpolated with PyTorch's `F.interpolate(mode='bicubic',
//! antialias=True, align_corners=False)`, the class/register rows are kept as they are.
//!
//! PyTorch's antialiased bicubic is Pillow's separable filter in floating point: Keys' cubic
//! with a = -0.5, support widened by the scale when shrinking, weights normalised per output
//! sample, edges handled by dropping out-of-range taps (not by clamping indices). It runs the
//! width pass first, then the height pass, with weights computed in f32 like PyTorch's
//! float kernel.

/// Keys' cubic convolution kernel with a = -0.5 (PyTorch's choice when antialiasing).
fn cubic(x: f32) -> f32 {
    const A: f32 = -0.5;
    let x = x.abs();
    if x < 1.0 {
        ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0
    } else if x < 2.0 {
        ((A * x - 5.0 * A) * x + 8.0 * A) * x - 4.0 * A
    } else {
        0.0
    }
}

/// The taps of one output sample: first input index and normalised weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Taps {
    /// First input index read.
    pub start: usize,
    /// One weight per input index from `start`.
    pub weights: Vec<f32>,
}

/// Antialiased bicubic taps for resizing a 1-D axis of `input` samples to `output` samples.
pub fn bicubic_aa_taps(input: usize, output: usize) -> Vec<Taps> {
    let scale = input as f32 / output as f32;
    let support = if scale >= 1.0 { 2.0 * scale } else { 2.0 };
    let max_taps = support.ceil() as usize * 2 + 1;
    let invscale = if scale >= 1.0 { 1.0 / scale } else { 1.0 };
    (0..output)
        .map(|i| {
            let center = scale * (i as f32 + 0.5);
            // `as i64` truncates toward zero like the C++ cast.
            let start = ((center - support + 0.5) as i64).max(0);
            let end = ((center + support + 0.5) as i64).min(input as i64);
            let size = (end - start).clamp(0, max_taps as i64) as usize;
            let mut weights: Vec<f32> = (0..size)
                .map(|j| cubic((j as f32 + start as f32 - center + 0.5) * invscale))
                .collect();
            let total: f32 = weights.iter().sum();
            if total != 0.0 {
                weights.iter_mut().for_each(|w| *w /= total);
            }
            Taps {
                start: start as usize,
                weights,
            }
        })
        .collect()
}

/// Resizes an `h x w x c` (channels-last) grid to `new_h x new_w x c` with PyTorch's
/// antialiased bicubic interpolation.
pub fn resize_bicubic_aa(
    data: &[f32],
    (h, w, c): (usize, usize, usize),
    (new_h, new_w): (usize, usize),
) -> Vec<f32> {
    debug_assert_eq!(data.len(), h * w * c);
    let mut cur = data.to_vec();
    if new_w != w {
        let taps = bicubic_aa_taps(w, new_w);
        let mut out = vec![0f32; h * new_w * c];
        for y in 0..h {
            for (x, t) in taps.iter().enumerate() {
                let dst = &mut out[(y * new_w + x) * c..(y * new_w + x + 1) * c];
                for (j, &wt) in t.weights.iter().enumerate() {
                    let src = &cur[(y * w + t.start + j) * c..(y * w + t.start + j + 1) * c];
                    dst.iter_mut().zip(src).for_each(|(d, s)| *d += wt * s);
                }
            }
        }
        cur = out;
    }
    if new_h != h {
        let taps = bicubic_aa_taps(h, new_h);
        let row = new_w * c;
        let mut out = vec![0f32; new_h * row];
        for (y, t) in taps.iter().enumerate() {
            let dst = &mut out[y * row..(y + 1) * row];
            for (j, &wt) in t.weights.iter().enumerate() {
                let src = &cur[(t.start + j) * row..(t.start + j + 1) * row];
                dst.iter_mut().zip(src).for_each(|(d, s)| *d += wt * s);
            }
        }
        cur = out;
    }
    cur
}

/// timm's `resample_abs_pos_embed`: `pos` holds `prefix` leading rows (class/register
/// tokens, kept) and then an `old.0 x old.1` grid of `dim`-wide rows, resized to `new`.
pub fn resample_abs_pos_embed(
    pos: &[f32],
    dim: usize,
    prefix: usize,
    old: (usize, usize),
    new: (usize, usize),
) -> Vec<f32> {
    if old == new {
        return pos.to_vec();
    }
    let (head, grid) = pos.split_at(prefix * dim);
    let mut out = head.to_vec();
    out.extend(resize_bicubic_aa(grid, (old.0, old.1, dim), new));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taps_sum_to_one_and_stay_in_range() {
        for (i, o) in [(37, 16), (16, 37), (14, 14), (37, 12), (5, 3), (3, 8)] {
            for t in bicubic_aa_taps(i, o) {
                let s: f32 = t.weights.iter().sum();
                assert!((s - 1.0).abs() < 1e-5, "{i}->{o}: {s}");
                assert!(t.start + t.weights.len() <= i);
            }
        }
    }

    #[test]
    fn same_size_is_identity_and_constants_stay_constant() {
        let grid: Vec<f32> = (0..4 * 4 * 2).map(|v| v as f32).collect();
        assert_eq!(resize_bicubic_aa(&grid, (4, 4, 2), (4, 4)), grid);
        let flat = vec![0.25f32; 9 * 7 * 3];
        for v in resize_bicubic_aa(&flat, (9, 7, 3), (4, 11)) {
            assert!((v - 0.25).abs() < 1e-6);
        }
    }

    #[test]
    fn prefix_rows_are_kept() {
        let pos: Vec<f32> = (0..(1 + 9) * 2).map(|v| v as f32).collect();
        let out = resample_abs_pos_embed(&pos, 2, 1, (3, 3), (2, 2));
        assert_eq!(out.len(), (1 + 4) * 2);
        assert_eq!(&out[..2], &[0.0, 1.0]);
    }
}
