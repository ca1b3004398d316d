//! OpenCV's 8-bit bilinear resampling as `cv2.warpAffine` and `cv2.remap` do it (OpenCV
//! 4.5): source positions quantised to 1/32 pixel, integer bilinear weights scaled by 2^15,
//! reflect-101 borders. The albumentations elastic transform is built from these.

use image::RgbImage;

use crate::border::reflect101;

/// Fractional bits of a source position (OpenCV's `INTER_BITS`).
const INTER_BITS: i32 = 5;
/// Steps per pixel (`INTER_TAB_SIZE`).
const TAB: i32 = 1 << INTER_BITS;
/// Fixed-point bits of the affine coefficients (`AB_BITS`).
const AB_BITS: i32 = 10;
const AB_SCALE: f64 = (1 << AB_BITS) as f64;

/// `cvRound` of a double: nearest, ties to even (as `lrint` in the default mode).
fn cv_round(v: f64) -> i32 {
    v.round_ties_even() as i32
}

/// The pixel at source position (`x`, `y`) in 1/32 pixel units, bilinear with OpenCV's
/// integer weights: `(sum w v + 2^14) >> 15`.
#[inline]
fn sample(src: &[u8], w: usize, h: usize, x: i32, y: i32) -> [u8; 3] {
    let (sx, sy) = ((x >> INTER_BITS) as i64, (y >> INTER_BITS) as i64);
    let (fx, fy) = (x & (TAB - 1), y & (TAB - 1));
    // Each weight is a product of 1-D weights in 1/32 steps, times 32 to reach 2^15.
    let wts = [
        (TAB - fy) * (TAB - fx) * 32,
        (TAB - fy) * fx * 32,
        fy * (TAB - fx) * 32,
        fy * fx * 32,
    ];
    let (wi, hi) = (w as i64, h as i64);
    let x0 = reflect101(sx, wi) as usize;
    let x1 = reflect101(sx + 1, wi) as usize;
    let y0 = reflect101(sy, hi) as usize;
    let y1 = reflect101(sy + 1, hi) as usize;
    let at = |xx: usize, yy: usize, c: usize| src[(yy * w + xx) * 3 + c] as i32;
    let mut out = [0u8; 3];
    for (c, o) in out.iter_mut().enumerate() {
        let s = at(x0, y0, c) * wts[0]
            + at(x1, y0, c) * wts[1]
            + at(x0, y1, c) * wts[2]
            + at(x1, y1, c) * wts[3];
        *o = ((s + (1 << 14)) >> 15).clamp(0, 255) as u8;
    }
    out
}

/// `cv2.remap(img, map_x, map_y, INTER_LINEAR, BORDER_REFLECT_101)` with float maps (one
/// entry per output pixel, row-major): each position is rounded to 1/32 pixel first.
pub fn remap_linear(img: &RgbImage, map_x: &[f32], map_y: &[f32]) -> RgbImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let src = img.as_raw();
    let mut out = vec![0u8; w * h * 3];
    for (i, px) in out.chunks_exact_mut(3).enumerate() {
        let x = (map_x[i] * TAB as f32).round_ties_even() as i32;
        let y = (map_y[i] * TAB as f32).round_ties_even() as i32;
        px.copy_from_slice(&sample(src, w, h, x, y));
    }
    RgbImage::from_raw(w as u32, h as u32, out).expect("same size")
}

/// Inverse of a 2x3 affine matrix, as `cv2.warpAffine` computes it (no `WARP_INVERSE_MAP`).
fn invert(m: [f64; 6]) -> [f64; 6] {
    let d = m[0] * m[4] - m[1] * m[3];
    let d = if d != 0.0 { 1.0 / d } else { 0.0 };
    let (a11, a22) = (m[4] * d, m[0] * d);
    let (a12, a21) = (-m[1] * d, -m[3] * d);
    let b1 = -a11 * m[2] - a12 * m[5];
    let b2 = -a21 * m[2] - a22 * m[5];
    [a11, a12, b1, a21, a22, b2]
}

/// `cv2.warpAffine(img, m, (w, h), INTER_LINEAR, BORDER_REFLECT_101)`: `m` maps source to
/// destination; source positions come from the inverse in 10-bit fixed point.
pub fn warp_affine_linear(img: &RgbImage, m: [f64; 6]) -> RgbImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let im = invert(m);
    let adelta: Vec<i32> = (0..w)
        .map(|x| cv_round(im[0] * x as f64 * AB_SCALE))
        .collect();
    let bdelta: Vec<i32> = (0..w)
        .map(|x| cv_round(im[3] * x as f64 * AB_SCALE))
        .collect();
    let round_delta = (1 << AB_BITS) / TAB / 2;
    let src = img.as_raw();
    let mut out = vec![0u8; w * h * 3];
    for y in 0..h {
        let x0 = cv_round((im[1] * y as f64 + im[2]) * AB_SCALE) + round_delta;
        let y0 = cv_round((im[4] * y as f64 + im[5]) * AB_SCALE) + round_delta;
        for x in 0..w {
            let sx = (x0 + adelta[x]) >> (AB_BITS - INTER_BITS);
            let sy = (y0 + bdelta[x]) >> (AB_BITS - INTER_BITS);
            let i = (y * w + x) * 3;
            out[i..i + 3].copy_from_slice(&sample(src, w, h, sx, sy));
        }
    }
    RgbImage::from_raw(w as u32, h as u32, out).expect("same size")
}

/// `cv2.getAffineTransform(src, dst)`: the 6x6 system solved by OpenCV's Gaussian
/// elimination with partial pivoting (same operation order), giving [a, b, c, d, e, f] with
/// dst = (a x + b y + c, d x + e y + f).
// Indexed loops keep OpenCV's operation order visible (it decides the last bits).
#[allow(clippy::needless_range_loop)]
pub fn affine_from_points(src: [[f32; 2]; 3], dst: [[f32; 2]; 3]) -> [f64; 6] {
    let mut a = [[0f64; 6]; 6];
    let mut b = [0f64; 6];
    for i in 0..3 {
        let (x, y) = (src[i][0] as f64, src[i][1] as f64);
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0];
        b[2 * i] = dst[i][0] as f64;
        b[2 * i + 1] = dst[i][1] as f64;
    }
    let n = 6;
    for i in 0..n {
        let mut k = i;
        for j in i + 1..n {
            if a[j][i].abs() > a[k][i].abs() {
                k = j;
            }
        }
        if a[k][i].abs() < f64::EPSILON * 100.0 {
            // Degenerate points: OpenCV returns zeros.
            return [0.0; 6];
        }
        if k != i {
            a.swap(i, k);
            b.swap(i, k);
        }
        let d = -1.0 / a[i][i];
        for j in i + 1..n {
            let alpha = a[j][i] * d;
            for c in i + 1..n {
                a[j][c] += alpha * a[i][c];
            }
            b[j] += alpha * b[i];
        }
        a[i][i] = -d;
    }
    for i in (0..n).rev() {
        let mut s = b[i];
        for c in i + 1..n {
            s -= a[i][c] * b[c];
        }
        b[i] = s * a[i][i];
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_warp_and_remap_keep_the_image() {
        let img = RgbImage::from_fn(7, 5, |x, y| image::Rgb([x as u8 * 30, y as u8 * 40, 9]));
        assert_eq!(
            warp_affine_linear(&img, [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]),
            img
        );
        let mx: Vec<f32> = (0..35).map(|i| (i % 7) as f32).collect();
        let my: Vec<f32> = (0..35).map(|i| (i / 7) as f32).collect();
        assert_eq!(remap_linear(&img, &mx, &my), img);
    }

    #[test]
    fn points_give_their_affine() {
        let src = [[10.0, 10.0], [40.0, 12.0], [15.0, 50.0]];
        let m = [1.1, 0.2, 3.0, -0.1, 0.9, -2.0];
        let dst = src.map(|[x, y]| {
            [
                (m[0] * x as f64 + m[1] * y as f64 + m[2]) as f32,
                (m[3] * x as f64 + m[4] * y as f64 + m[5]) as f32,
            ]
        });
        let got = affine_from_points(src, dst);
        for (g, e) in got.iter().zip(m) {
            assert!((g - e).abs() < 1e-4, "{got:?}");
        }
    }
}
