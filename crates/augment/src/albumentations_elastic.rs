//! albumentations' `ElasticTransform` as the paper's code calls it (albumentations 1.1,
//! `approximate=True`): first a random affine that moves three anchor points by up to
//! `alpha_affine` pixels, then a displacement field of uniform noise blurred by a 17x17
//! Gaussian of `sigma` and scaled by `alpha`, both resampled bilinearly with reflect-101
//! borders. With the paper's alpha = 1 the field moves pixels by hundredths of a pixel, so
//! the affine (alpha_affine = 50, the library default) is nearly all of the deformation.
//!
//! The random numbers are NumPy's `RandomState(seed)` in the library's order (six affine
//! offsets, then the x field, then the y field), so a seed gives the same draws as
//! `elastic_transform(..., random_state=np.random.RandomState(seed))`.

use image::RgbImage;

use crate::border::reflect101;
use crate::numpy_rng::NumpyRandomState;
use crate::opencv_warp::{affine_from_points, remap_linear, warp_affine_linear};

/// Side of the blur kernel in `approximate` mode.
const KSIZE: usize = 17;

/// `cv2.getGaussianKernel(17, sigma)` as float32 taps.
fn gaussian_taps(sigma: f64) -> [f32; KSIZE] {
    let half = KSIZE / 2;
    let scale = -0.125 / (sigma * sigma);
    // x runs over 1 - n, 3 - n, ..: twice the offset from the centre, as OpenCV writes it.
    let values: Vec<f64> = (0..half)
        .map(|i| {
            let x = 2 * i as i64 + 1 - KSIZE as i64;
            ((x * x) as f64 * scale).exp()
        })
        .collect();
    let sum = values.iter().sum::<f64>() * 2.0 + 1.0;
    let mul = 1.0 / sum;
    let mut taps = [0f32; KSIZE];
    for (i, v) in values.iter().enumerate() {
        taps[i] = (v * mul) as f32;
        taps[KSIZE - 1 - i] = (v * mul) as f32;
    }
    taps[half] = mul as f32;
    taps
}

/// One separable pass of the symmetric kernel along rows (`along_x`) or columns, each line
/// padded by reflect-101 first.
fn blur_pass(src: &[f32], w: usize, h: usize, taps: &[f32; KSIZE], along_x: bool) -> Vec<f32> {
    let half = KSIZE / 2;
    let (len, lines) = if along_x { (w, h) } else { (h, w) };
    let idx = |line: usize, i: usize| if along_x { line * w + i } else { i * w + line };
    let mut out = vec![0f32; w * h];
    let mut padded = vec![0f32; len + 2 * half];
    for line in 0..lines {
        for (j, p) in padded.iter_mut().enumerate() {
            *p = src[idx(
                line,
                reflect101(j as i64 - half as i64, len as i64) as usize,
            )];
        }
        for i in 0..len {
            let c = i + half;
            let mut s = taps[half] * padded[c];
            for k in 1..=half {
                s += taps[half + k] * (padded[c + k] + padded[c - k]);
            }
            out[idx(line, i)] = s;
        }
    }
    out
}

/// `cv2.GaussianBlur(field, (17, 17), sigma)` on a float32 field (reflect-101 borders).
fn gaussian_blur17(field: &[f32], w: usize, h: usize, sigma: f64) -> Vec<f32> {
    let taps = gaussian_taps(sigma);
    let rows = blur_pass(field, w, h, &taps, true);
    blur_pass(&rows, w, h, &taps, false)
}

/// One displacement field: `GaussianBlur(rand(h, w) * 2 - 1) * alpha`, in float32.
fn field(rs: &mut NumpyRandomState, w: usize, h: usize, sigma: f64, alpha: f64) -> Vec<f32> {
    let noise: Vec<f32> = (0..w * h)
        .map(|_| rs.random_sample() as f32 * 2.0 - 1.0)
        .collect();
    let mut d = gaussian_blur17(&noise, w, h, sigma);
    for v in &mut d {
        *v *= alpha as f32;
    }
    d
}

/// albumentations 1.1 `elastic_transform(img, alpha, sigma, alpha_affine,
/// INTER_LINEAR, BORDER_REFLECT_101, random_state=RandomState(seed), approximate=True)`.
pub fn albumentations_elastic(
    img: &RgbImage,
    alpha: f64,
    sigma: f64,
    alpha_affine: f64,
    seed: u32,
) -> RgbImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w == 0 || h == 0 {
        return img.clone();
    }
    let mut rs = NumpyRandomState::new(seed);
    // The library writes the centre as (height, width) // 2 and uses it as an (x, y) point.
    let (c0, c1) = ((h as f32 / 2.0).floor(), (w as f32 / 2.0).floor());
    let s = (h.min(w) / 3) as f32;
    let pts1 = [[c0 + s, c1 + s], [c0 + s, c1 - s], [c0 - s, c1 - s]];
    let mut pts2 = pts1;
    for p in &mut pts2 {
        for v in p.iter_mut() {
            *v += rs.uniform(-alpha_affine, alpha_affine) as f32;
        }
    }
    let warped = warp_affine_linear(img, affine_from_points(pts1, pts2));
    let dx = field(&mut rs, w, h, sigma, alpha);
    let dy = field(&mut rs, w, h, sigma, alpha);
    let mut map_x = vec![0f32; w * h];
    let mut map_y = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            // NumPy adds the int64 grid to the float32 field in float64, then casts.
            map_x[i] = (x as f64 + dx[i] as f64) as f32;
            map_y[i] = (y as f64 + dy[i] as f64) as f32;
        }
    }
    remap_linear(&warped, &map_x, &map_y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taps_sum_to_one_and_are_symmetric() {
        let t = gaussian_taps(10.0);
        let s: f32 = t.iter().sum();
        assert!((s - 1.0).abs() < 1e-6);
        assert_eq!(t[0], t[16]);
        assert!(t[8] > t[0]);
    }

    #[test]
    fn no_affine_and_no_field_is_the_identity() {
        let img = RgbImage::from_fn(20, 14, |x, y| image::Rgb([x as u8 * 9, y as u8 * 13, 77]));
        assert_eq!(albumentations_elastic(&img, 0.0, 10.0, 0.0, 3), img);
    }

    #[test]
    fn same_seed_same_result_and_the_affine_moves_pixels() {
        let img = RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 6, y as u8 * 8, 0]));
        let a = albumentations_elastic(&img, 1.0, 10.0, 50.0, 7);
        assert_eq!(a, albumentations_elastic(&img, 1.0, 10.0, 50.0, 7));
        assert_ne!(a, img);
    }
}
