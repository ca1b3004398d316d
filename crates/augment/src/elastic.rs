//! Elastic deformation in the style of albumentations' `ElasticTransform`: a smoothed
//! random displacement field, bilinear resampling, reflect-101 borders. Seeded; no
//! reference parity is claimed.

use image::RgbImage;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::filter::gaussian_kernel;

/// OpenCV's reflect-101 border index (edge pixel not repeated).
#[inline]
fn reflect101(i: i64, n: i64) -> i64 {
    if n == 1 {
        return 0;
    }
    let period = 2 * (n - 1);
    let m = i.rem_euclid(period);
    if m < n { m } else { period - m }
}

/// A `w` x `h` field of U(-1, 1) noise, blurred with a 17-tap Gaussian of `sigma` (as
/// albumentations' approximate mode does) and scaled by `alpha`.
fn displacement(w: usize, h: usize, alpha: f64, sigma: f64, rng: &mut ChaCha8Rng) -> Vec<f32> {
    let noise: Vec<f32> = (0..w * h)
        .map(|_| rng.random::<f32>() * 2.0 - 1.0)
        .collect();
    let k = gaussian_kernel(17, sigma);
    let r = 8i64;
    let mut tmp = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let mut s = 0f32;
            for (t, &kv) in k.iter().enumerate() {
                let sx = reflect101(x as i64 + t as i64 - r, w as i64) as usize;
                s += noise[y * w + sx] * kv;
            }
            tmp[y * w + x] = s;
        }
    }
    let mut out = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let mut s = 0f32;
            for (t, &kv) in k.iter().enumerate() {
                let sy = reflect101(y as i64 + t as i64 - r, h as i64) as usize;
                s += tmp[sy * w + x] * kv;
            }
            out[y * w + x] = s * alpha as f32;
        }
    }
    out
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
