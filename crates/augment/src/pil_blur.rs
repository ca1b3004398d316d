//! Pillow's `ImageFilter.GaussianBlur(radius)`, which MoCo's `GaussianBlur([.1, 2.])` applies
//! (the paper's blur step): three passes of an "extended" box filter per axis whose
//! fractional radius matches the Gaussian's variance, in Pillow's 8.24 fixed point with the
//! edge pixel repeated. Integer arithmetic throughout, so results are bit-exact.

use image::RgbImage;

/// Box passes per axis (Pillow's default).
const PASSES: i32 = 3;

/// Pillow's `_gaussian_blur_radius`: the extended box radius for a Gaussian of `radius`
/// (standard deviation) split over `PASSES` passes, in C float/double arithmetic.
fn box_radius(radius: f32) -> f32 {
    let sigma2: f32 = radius * radius / PASSES as f32;
    let big_l = (12.0 * sigma2 as f64 + 1.0).sqrt() as f32;
    let l = ((big_l as f64 - 1.0) / 2.0).floor() as f32;
    let mut a: f32 = (2.0 * l + 1.0) * (l * (l + 1.0) - 3.0 * sigma2);
    a /= 6.0 * (sigma2 - (l + 1.0) * (l + 1.0));
    l + a
}

/// One extended box pass over a line of RGB pixels (`line` is read, `out` written).
// One channel at a time, as Pillow's per-channel accumulators.
#[allow(clippy::needless_range_loop)]
fn line_pass(line: &[[u8; 3]], out: &mut [[u8; 3]], radius: i64, ww: u32, fw: u32) {
    let n = line.len() as i64;
    let last = n - 1;
    let edge_a = (radius + 1).min(n);
    let edge_b = (n - radius - 1).max(0);
    let px = |i: i64| line[i as usize];
    for c in 0..3 {
        let v = |i: i64| px(i)[c] as u32;
        let mut acc: u32 = v(0) * (radius as u32 + 1);
        for x in 0..edge_a - 1 {
            acc = acc.wrapping_add(v(x));
        }
        acc = acc.wrapping_add(v(last).wrapping_mul((radius - edge_a + 1) as u32));
        // (subtract, add, left, right) per output x, as Pillow's three loops choose them.
        let ends = |x: i64| -> (i64, i64, i64, i64) {
            let sub = if x < edge_a { 0 } else { x - radius - 1 };
            let far_left = sub;
            let (add, far_right) = if x < edge_b {
                (x + radius, x + radius + 1)
            } else {
                (last, last)
            };
            (sub, add, far_left, far_right)
        };
        for x in 0..n {
            let (sub, add, left, right) = ends(x);
            acc = acc.wrapping_add(v(add)).wrapping_sub(v(sub));
            let bulk = acc
                .wrapping_mul(ww)
                .wrapping_add((v(left) + v(right)).wrapping_mul(fw));
            out[x as usize][c] = (bulk.wrapping_add(1 << 23) >> 24) as u8;
        }
    }
}

/// `PASSES` box passes along every row of `px` (`w` x `h`), in place.
fn rows_pass(px: &mut [[u8; 3]], w: usize, radius: f32) {
    let r = radius as i64;
    let ww = ((1u32 << 24) as f32 / (radius * 2.0 + 1.0)) as u32;
    let fw = ((1u32 << 24).wrapping_sub((r as u32 * 2 + 1).wrapping_mul(ww))) / 2;
    let mut tmp = vec![[0u8; 3]; w];
    for row in px.chunks_exact_mut(w) {
        for _ in 0..PASSES {
            line_pass(row, &mut tmp, r, ww, fw);
            row.copy_from_slice(&tmp);
        }
    }
}

fn transpose(px: &[[u8; 3]], w: usize, h: usize) -> Vec<[u8; 3]> {
    let mut t = vec![[0u8; 3]; w * h];
    for y in 0..h {
        for x in 0..w {
            t[x * h + y] = px[y * w + x];
        }
    }
    t
}

/// `img.filter(ImageFilter.GaussianBlur(radius))` on an RGB image.
pub fn pil_gaussian_blur(img: &RgbImage, radius: f64) -> RgbImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if radius == 0.0 || w == 0 || h == 0 {
        return img.clone();
    }
    let r = box_radius(radius as f32);
    let mut px: Vec<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    if r != 0.0 {
        rows_pass(&mut px, w, r);
        let mut t = transpose(&px, w, h);
        rows_pass(&mut t, h, r);
        px = transpose(&t, h, w);
    }
    let raw: Vec<u8> = px.into_iter().flatten().collect();
    RgbImage::from_raw(w as u32, h as u32, raw).expect("same size")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_images_stay_flat() {
        let img = RgbImage::from_pixel(9, 6, image::Rgb([200, 10, 99]));
        assert_eq!(pil_gaussian_blur(&img, 1.3), img);
    }

    #[test]
    fn blur_spreads_a_dot() {
        let mut img = RgbImage::new(15, 15);
        img.put_pixel(7, 7, image::Rgb([255, 255, 255]));
        let b = pil_gaussian_blur(&img, 2.0);
        assert!(b.get_pixel(7, 7).0[0] < 255);
        assert!(b.get_pixel(8, 7).0[0] > 0);
    }
}
