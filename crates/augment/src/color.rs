//! Colour ops with Pillow's integer/float32 arithmetic (ImageEnhance, ImageOps, HSV).

use image::RgbImage;

/// Pillow's RGB -> L luma: ITU-R 601-2 weights in 16-bit fixed point, rounded.
#[inline]
pub fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((r as u32 * 19595 + g as u32 * 38470 + b as u32 * 7471 + 0x8000) >> 16) as u8
}

/// Applies a per-value lookup table to every channel.
pub fn map_lut(img: &RgbImage, lut: &[u8; 256]) -> RgbImage {
    let data = img.as_raw().iter().map(|&v| lut[v as usize]).collect();
    RgbImage::from_raw(img.width(), img.height(), data).expect("same size")
}

/// Grayscale with three equal channels (Pillow's `convert("L")` replicated).
pub fn grayscale(img: &RgbImage) -> RgbImage {
    let mut out = img.clone();
    for p in out.as_mut().chunks_exact_mut(3) {
        let l = luma(p[0], p[1], p[2]);
        p.fill(l);
    }
    out
}

/// One value of `Image.blend(degenerate, image, alpha)`: float32 interpolation, truncated,
/// clamped only when alpha leaves [0, 1] (as Pillow's two code paths do).
#[inline]
fn blend1(deg: u8, v: u8, alpha: f32) -> u8 {
    let t = deg as i32 as f32 + alpha * (v as i32 - deg as i32) as f32;
    if t <= 0.0 {
        0
    } else if t >= 255.0 {
        255
    } else {
        t as u8
    }
}

/// Below this many values, blending directly is cheaper than building the table.
const TABLE_MIN_VALUES: usize = 256 * 256 * 2;

/// All 256 x 256 results of `blend1` for one alpha, indexed `[degenerate][value]`: one
/// table build replaces the float work per value on any image larger than ~256x256 values.
fn blend_table(alpha: f64) -> Vec<[u8; 256]> {
    let a = alpha as f32;
    (0..256)
        .map(|d| {
            let mut row = [0u8; 256];
            for (v, o) in row.iter_mut().enumerate() {
                *o = blend1(d as u8, v as u8, a);
            }
            row
        })
        .collect()
}

/// `Image.blend(degenerate, img, alpha)` with a per-pixel grey degenerate image.
fn blend_with(img: &RgbImage, alpha: f64, deg: impl Fn(&[u8]) -> [u8; 3]) -> RgbImage {
    let mut out = img.clone();
    if out.as_raw().len() < TABLE_MIN_VALUES {
        let a = alpha as f32;
        for p in out.as_mut().chunks_exact_mut(3) {
            let d = deg(p);
            for c in 0..3 {
                p[c] = blend1(d[c], p[c], a);
            }
        }
        return out;
    }
    let table = blend_table(alpha);
    for p in out.as_mut().chunks_exact_mut(3) {
        let d = deg(p);
        for c in 0..3 {
            p[c] = table[d[c] as usize][p[c] as usize];
        }
    }
    out
}

/// `ImageEnhance.Brightness(img).enhance(factor)`: blend with black.
pub fn brightness(img: &RgbImage, factor: f64) -> RgbImage {
    let a = factor as f32;
    let mut lut = [0u8; 256];
    for (v, l) in lut.iter_mut().enumerate() {
        *l = blend1(0, v as u8, a);
    }
    map_lut(img, &lut)
}

/// `ImageEnhance.Contrast(img).enhance(factor)`: blend with the rounded mean grey level.
pub fn contrast(img: &RgbImage, factor: f64) -> RgbImage {
    let n = (img.width() as u64 * img.height() as u64).max(1);
    let sum: u64 = img
        .as_raw()
        .chunks_exact(3)
        .map(|p| luma(p[0], p[1], p[2]) as u64)
        .sum();
    let mean = (sum as f64 / n as f64 + 0.5) as u8;
    let a = factor as f32;
    let mut lut = [0u8; 256];
    for (v, l) in lut.iter_mut().enumerate() {
        *l = blend1(mean, v as u8, a);
    }
    map_lut(img, &lut)
}

/// `ImageEnhance.Color(img).enhance(factor)`: blend with the image's own grey version.
pub fn saturation(img: &RgbImage, factor: f64) -> RgbImage {
    blend_with(img, factor, |p| [luma(p[0], p[1], p[2]); 3])
}

/// Pillow's RGB -> HSV for one pixel (float32 variables, double intermediates).
#[inline]
fn rgb_to_hsv(r: u8, g: u8, b: u8) -> (u8, u8, u8) {
    let maxc = r.max(g).max(b);
    let minc = r.min(g).min(b);
    if maxc == minc {
        return (0, 0, maxc);
    }
    let cr = (maxc - minc) as f32;
    let s = cr / maxc as f32;
    let rc = (maxc - r) as f32 / cr;
    let gc = (maxc - g) as f32 / cr;
    let bc = (maxc - b) as f32 / cr;
    let h: f32 = if r == maxc {
        bc - gc
    } else if g == maxc {
        (2.0 + rc as f64 - bc as f64) as f32
    } else {
        (4.0 + gc as f64 - rc as f64) as f32
    };
    // fmod(x, 1) for x in [0, 2): subtracting 1 is exact there (and avoids a libm call).
    let x = h as f64 / 6.0 + 1.0;
    let h = (if x >= 1.0 { x - 1.0 } else { x }) as f32;
    let uh = ((h as f64 * 255.0) as i32).clamp(0, 255) as u8;
    let us = ((s as f64 * 255.0) as i32).clamp(0, 255) as u8;
    (uh, us, maxc)
}

/// Pillow's HSV -> RGB for one pixel.
#[inline]
fn hsv_to_rgb(h: u8, s: u8, v: u8) -> [u8; 3] {
    if s == 0 {
        return [v, v, v];
    }
    let hf = h as f32 as f64 * 6.0 / 255.0;
    // hf >= 0, so truncation is floor (and avoids a libm call).
    let i = hf as i32;
    let f = (hf - i as f32 as f64) as f32;
    let fs = (s as f32 as f64 / 255.0) as f32;
    let vf = v as f32 as f64;
    // x >= 0 here, where C's round (half away from zero) is trunc(x + 0.5).
    let clip = |x: f64| ((x + 0.5) as i32).clamp(0, 255) as u8;
    let p = clip(vf * (1.0 - fs as f64));
    let q = clip(vf * (1.0 - (fs * f) as f64));
    let t = clip(vf * (1.0 - (fs * (1.0 - f)) as f64));
    hsv_sector(i, v, p, q, t)
}

/// RGB of the hue sector `sector` (taken mod 6) of the standard HSV -> RGB conversion, from the
/// value `v` and the sector's falling `p`, middle `q` and rising `t` levels.
pub fn hsv_sector<T: Copy>(sector: i32, v: T, p: T, q: T, t: T) -> [T; 3] {
    match sector.rem_euclid(6) {
        0 => [v, t, p],
        1 => [q, v, p],
        2 => [p, v, t],
        3 => [p, q, v],
        4 => [t, p, v],
        _ => [v, p, q],
    }
}

/// torchvision `adjust_hue` on PIL: HSV round trip, hue shifted by `int(factor * 255)`
/// with uint8 wrap-around.
pub fn hue(img: &RgbImage, factor: f64) -> RgbImage {
    let shift = ((factor * 255.0) as i32) as u8;
    let mut out = img.clone();
    for p in out.as_mut().chunks_exact_mut(3) {
        let (h, s, v) = rgb_to_hsv(p[0], p[1], p[2]);
        p.copy_from_slice(&hsv_to_rgb(h.wrapping_add(shift), s, v));
    }
    out
}

/// `ImageOps.invert`.
pub fn invert(img: &RgbImage) -> RgbImage {
    let mut lut = [0u8; 256];
    for (v, l) in lut.iter_mut().enumerate() {
        *l = 255 - v as u8;
    }
    map_lut(img, &lut)
}

/// `ImageOps.posterize`: keep the top `bits` bits.
pub fn posterize(img: &RgbImage, bits: u32) -> RgbImage {
    let mask: u8 = if bits == 0 {
        0
    } else {
        !((1u16 << (8 - bits.min(8))) - 1) as u8
    };
    let mut lut = [0u8; 256];
    for (v, l) in lut.iter_mut().enumerate() {
        *l = v as u8 & mask;
    }
    map_lut(img, &lut)
}

/// `ImageOps.equalize`: per-channel histogram equalisation with Pillow's step LUT.
pub fn equalize(img: &RgbImage) -> RgbImage {
    let mut hist = [[0u64; 256]; 3];
    for p in img.as_raw().chunks_exact(3) {
        for c in 0..3 {
            hist[c][p[c] as usize] += 1;
        }
    }
    let mut luts = [[0u8; 256]; 3];
    for c in 0..3 {
        let h = &hist[c];
        let used: Vec<u64> = h.iter().copied().filter(|&v| v > 0).collect();
        let identity = |lut: &mut [u8; 256]| {
            for (i, l) in lut.iter_mut().enumerate() {
                *l = i as u8;
            }
        };
        if used.len() <= 1 {
            identity(&mut luts[c]);
            continue;
        }
        let step = (used.iter().sum::<u64>() - used[used.len() - 1]) / 255;
        if step == 0 {
            identity(&mut luts[c]);
            continue;
        }
        let mut n = step / 2;
        for i in 0..256 {
            luts[c][i] = (n / step).min(255) as u8;
            n += h[i];
        }
    }
    let mut out = img.clone();
    for p in out.as_mut().chunks_exact_mut(3) {
        for c in 0..3 {
            p[c] = luts[c][p[c] as usize];
        }
    }
    out
}

/// Blends `img` towards `degenerate` as `Image.blend(degenerate, img, factor)`.
pub fn blend_images(degenerate: &RgbImage, img: &RgbImage, factor: f64) -> RgbImage {
    if img.as_raw().len() < TABLE_MIN_VALUES {
        let a = factor as f32;
        let data = degenerate
            .as_raw()
            .iter()
            .zip(img.as_raw())
            .map(|(&d, &v)| blend1(d, v, a))
            .collect();
        return RgbImage::from_raw(img.width(), img.height(), data).expect("same size");
    }
    let table = blend_table(factor);
    let data = degenerate
        .as_raw()
        .iter()
        .zip(img.as_raw())
        .map(|(&d, &v)| table[d as usize][v as usize])
        .collect();
    RgbImage::from_raw(img.width(), img.height(), data).expect("same size")
}
