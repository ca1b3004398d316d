//! Elastic deformation in the style of albumentations' `ElasticTransform`: a Gaussian-smoothed
//! random displacement field, bilinear resampling, reflect-101 borders. Seeded; no
//! reference parity is claimed.

use image::RgbImage;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::border::reflect101;

/// Widths of three box filters whose succession approximates a Gaussian of `sigma`
/// (the standard "boxes for Gauss" construction), so the cost does not grow with sigma.
fn box_widths(sigma: f64) -> [usize; 3] {
    let n = 3.0;
    let ideal = (12.0 * sigma * sigma / n + 1.0).sqrt();
    let mut wl = ideal.floor() as i64;
    if wl % 2 == 0 {
        wl -= 1;
    }
    let wl = wl.max(1);
    let wu = wl + 2;
    let wlf = wl as f64;
    let m = ((12.0 * sigma * sigma - n * wlf * wlf - 4.0 * n * wlf - 3.0 * n) / (-4.0 * wlf - 4.0))
        .round() as i64;
    let mut out = [wu as usize; 3];
    for (i, o) in out.iter_mut().enumerate() {
        if (i as i64) < m {
            *o = wl as usize;
        }
    }
    out
}

/// One box blur of odd width along rows (`step` 1) or columns (`step` w) with reflect-101.
fn box_pass(src: &[f32], dst: &mut [f32], w: usize, h: usize, width: usize, along_rows: bool) {
    let r = (width / 2) as i64;
    let (len, lines) = if along_rows { (w, h) } else { (h, w) };
    let idx = |line: usize, i: usize| {
        if along_rows {
            line * w + i
        } else {
            i * w + line
        }
    };
    let inv = 1.0 / width as f32;
    for line in 0..lines {
        let at = |i: i64| src[idx(line, reflect101(i, len as i64) as usize)];
        let mut acc: f32 = (-r..=r).map(at).sum();
        for i in 0..len {
            dst[idx(line, i)] = acc * inv;
            acc += at(i as i64 + r + 1) - at(i as i64 - r);
        }
    }
}

/// A `w` x `h` field of U(-1, 1) noise, Gaussian-smoothed with `sigma` and scaled by `alpha`.
fn displacement(w: usize, h: usize, alpha: f64, sigma: f64, rng: &mut ChaCha8Rng) -> Vec<f32> {
    let mut a: Vec<f32> = (0..w * h)
        .map(|_| rng.random::<f32>() * 2.0 - 1.0)
        .collect();
    let mut b = vec![0f32; w * h];
    for width in box_widths(sigma) {
        box_pass(&a, &mut b, w, h, width, true);
        box_pass(&b, &mut a, w, h, width, false);
    }
    for v in &mut a {
        *v *= alpha as f32;
    }
    a
}

/// Deforms the image with displacement `alpha * gauss(U(-1,1), sigma)` per axis.
pub fn elastic(img: &RgbImage, alpha: f64, sigma: f64, seed: u64) -> RgbImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w == 0 || h == 0 {
        return img.clone();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dx = displacement(w, h, alpha, sigma, &mut rng);
    let dy = displacement(w, h, alpha, sigma, &mut rng);
    let src = img.as_raw();
    let mut out = vec![0u8; w * h * 3];
    let px = |x: i64, y: i64| {
        let x = reflect101(x, w as i64) as usize;
        let y = reflect101(y, h as i64) as usize;
        &src[(y * w + x) * 3..(y * w + x) * 3 + 3]
    };
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            let sx = x as f32 + dx[i];
            let sy = y as f32 + dy[i];
            let (x0, y0) = (sx.floor(), sy.floor());
            let (fx, fy) = (sx - x0, sy - y0);
            let (x0, y0) = (x0 as i64, y0 as i64);
            let (p00, p10, p01, p11) = (
                px(x0, y0),
                px(x0 + 1, y0),
                px(x0, y0 + 1),
                px(x0 + 1, y0 + 1),
            );
            for c in 0..3 {
                let top = p00[c] as f32 * (1.0 - fx) + p10[c] as f32 * fx;
                let bot = p01[c] as f32 * (1.0 - fx) + p11[c] as f32 * fx;
                out[i * 3 + c] = (top * (1.0 - fy) + bot * fy).round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    RgbImage::from_raw(w as u32, h as u32, out).expect("same size")
}
