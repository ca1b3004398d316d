//! Crops, flips and nearest-neighbour affine warps with Pillow's coordinate conventions.

use image::RgbImage;

/// Crops the box `(left, top, width, height)`; parts outside the image are black,
/// as `PIL.Image.crop` does.
pub fn crop(img: &RgbImage, left: i64, top: i64, width: u32, height: u32) -> RgbImage {
    let (w, h) = (img.width() as i64, img.height() as i64);
    if left == 0 && top == 0 && width as i64 == w && height as i64 == h {
        return img.clone();
    }
    let mut out = RgbImage::new(width, height);
    let x0 = left.max(0);
    let x1 = (left + width as i64).min(w);
    if x1 <= x0 {
        return out;
    }
    let src = img.as_raw();
    let ostride = width as usize * 3;
    let dst = out.as_mut();
    for oy in 0..height as i64 {
        let y = top + oy;
        if y < 0 || y >= h {
            continue;
        }
        let s = (y * w + x0) as usize * 3;
        let e = (y * w + x1) as usize * 3;
        let d = oy as usize * ostride + (x0 - left) as usize * 3;
        dst[d..d + (e - s)].copy_from_slice(&src[s..e]);
    }
    out
}

/// Python's `round(x / 2)` for an integer `x`: halves go to the even neighbour.
fn half_round_even(x: i64) -> i64 {
    if x % 2 == 0 {
        x / 2
    } else {
        let f = x.div_euclid(2);
        if f % 2 == 0 { f } else { f + 1 }
    }
}

/// torchvision `center_crop` on a PIL image: zero padding when the image is smaller,
/// Python's banker's rounding for the offset.
pub fn center_crop(img: &RgbImage, cw: u32, ch: u32) -> RgbImage {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let (cw64, ch64) = (cw as i64, ch as i64);
    // torchvision pads first (left/top get the floor half), then crops the padded image.
    let pad_l = if cw64 > w { (cw64 - w) / 2 } else { 0 };
    let pad_t = if ch64 > h { (ch64 - h) / 2 } else { 0 };
    let pad_r = if cw64 > w { (cw64 - w + 1) / 2 } else { 0 };
    let pad_b = if ch64 > h { (ch64 - h + 1) / 2 } else { 0 };
    let (pw, ph) = (w + pad_l + pad_r, h + pad_t + pad_b);
    let top = half_round_even(ph - ch64);
    let left = half_round_even(pw - cw64);
    crop(img, left - pad_l, top - pad_t, cw, ch)
}

/// Mirrors left to right.
pub fn hflip(img: &RgbImage) -> RgbImage {
    let stride = (img.width() as usize * 3).max(1);
    let src = img.as_raw();
    let mut out = vec![0u8; src.len()];
    for (drow, srow) in out.chunks_exact_mut(stride).zip(src.chunks_exact(stride)) {
        for (d, s) in drow.chunks_exact_mut(3).zip(srow.chunks_exact(3).rev()) {
            d.copy_from_slice(s);
        }
    }
    RgbImage::from_raw(img.width(), img.height(), out).expect("same size")
}

/// Mirrors top to bottom.
pub fn vflip(img: &RgbImage) -> RgbImage {
    let stride = img.width() as usize * 3;
    let mut out = Vec::with_capacity(img.as_raw().len());
    for row in img.as_raw().chunks_exact(stride.max(1)).rev() {
        out.extend_from_slice(row);
    }
    RgbImage::from_raw(img.width(), img.height(), out).expect("same size")
}

/// Pillow's `Image.transform(size, AFFINE, a, NEAREST)` at the input's size: output pixel
/// (x, y) reads input (a0 x + a1 y + a2, a3 x + a4 y + a5) at pixel centres; outside is black.
/// Follows Pillow's three code paths (pure scaling, 16.16 fixed point, float) so that
/// rounding at pixel boundaries matches.
pub fn affine_nearest(img: &RgbImage, a: [f64; 6]) -> RgbImage {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let mut out = RgbImage::new(img.width(), img.height());
    let src = img.as_raw();
    let dst = out.as_mut();
    let coord = |v: f64| if v < 0.0 { -1 } else { v as i64 };
    let mut put = |x: i64, y: i64, xin: i64, yin: i64| {
        if xin >= 0 && xin < w && yin >= 0 && yin < h {
            let s = ((yin * w + xin) * 3) as usize;
            let d = ((y * w + x) * 3) as usize;
            dst[d..d + 3].copy_from_slice(&src[s..s + 3]);
        }
    };
    if a[1] == 0.0 && a[3] == 0.0 {
        let mut xo = a[2] + a[0] * 0.5;
        let xin: Vec<i64> = (0..w)
            .map(|_| {
                let v = coord(xo);
                xo += a[0];
                v
            })
            .collect();
        let mut yo = a[5] + a[4] * 0.5;
        for y in 0..h {
            let yi = coord(yo);
            for (x, &xi) in xin.iter().enumerate() {
                put(x as i64, y, xi, yi);
            }
            yo += a[4];
        }
        return out;
    }
    let check = |x: f64, y: f64| {
        (x * a[0] + y * a[1] + a[2]).abs() < 32768.0 && (x * a[3] + y * a[4] + a[5]).abs() < 32768.0
    };
    let (wf, hf) = (w as f64, h as f64);
    if check(0.0, 0.0) && check(wf, hf) && check(0.0, hf) && check(wf, 0.0) {
        let fix = |v: f64| (v * 65536.0 + 0.5).floor() as i32;
        let (a0, a1, a3, a4) = (fix(a[0]), fix(a[1]), fix(a[3]), fix(a[4]));
        let mut a2 = fix(a[2] + a[0] * 0.5 + a[1] * 0.5);
        let mut a5 = fix(a[5] + a[3] * 0.5 + a[4] * 0.5);
        for y in 0..h {
            let (mut xx, mut yy) = (a2, a5);
            for x in 0..w {
                put(x, y, (xx >> 16) as i64, (yy >> 16) as i64);
                xx = xx.wrapping_add(a0);
                yy = yy.wrapping_add(a3);
            }
            a2 = a2.wrapping_add(a1);
            a5 = a5.wrapping_add(a4);
        }
        return out;
    }
    let mut xo = a[2] + a[1] * 0.5 + a[0] * 0.5;
    let mut yo = a[5] + a[4] * 0.5 + a[3] * 0.5;
    for y in 0..h {
        let (mut xx, mut yy) = (xo, yo);
        for x in 0..w {
            put(x, y, coord(xx), coord(yy));
            xx += a[0];
            yy += a[3];
        }
        xo += a[1];
        yo += a[4];
    }
    out
}

/// Python's `round(v, 15)`, which Pillow applies to the rotation matrix entries.
fn round15(v: f64) -> f64 {
    let s = 1e15;
    let r = (v * s).round_ties_even() / s;
    if r == 0.0 { 0.0 } else { r }
}

/// `PIL.Image.rotate(angle, NEAREST)` (counter-clockwise degrees, centre of the image,
/// same size, black fill), as torchvision's `rotate` calls it.
pub fn rotate(img: &RgbImage, angle: f64) -> RgbImage {
    let angle = angle.rem_euclid(360.0);
    if angle == 0.0 {
        return img.clone();
    }
    if angle == 180.0 {
        return vflip(&hflip(img));
    }
    let (w, h) = (img.width() as f64, img.height() as f64);
    let t = -angle.to_radians();
    let (c, s) = (round15(t.cos()), round15(t.sin()));
    let mut m = [c, s, 0.0, -s, c, 0.0];
    let (cx, cy) = (w / 2.0, h / 2.0);
    m[2] = m[0] * -cx + m[1] * -cy + cx;
    m[5] = m[3] * -cx + m[4] * -cy + cy;
    affine_nearest(img, m)
}

/// torchvision's inverse affine matrix (`_get_inverse_affine_matrix`) about the image
/// centre (w/2, h/2), as `F.affine` on a PIL image builds it.
pub fn inverse_affine_matrix(
    w: u32,
    h: u32,
    angle: f64,
    translate: (f64, f64),
    scale: f64,
    shear: (f64, f64),
) -> [f64; 6] {
    let (cx, cy) = (w as f64 * 0.5, h as f64 * 0.5);
    let (tx, ty) = translate;
    let rot = angle.to_radians();
    let (sx, sy) = (shear.0.to_radians(), shear.1.to_radians());
    let a = (rot - sy).cos() / sy.cos();
    let b = -(rot - sy).cos() * sx.tan() / sy.cos() - rot.sin();
    let c = (rot - sy).sin() / sy.cos();
    let d = -(rot - sy).sin() * sx.tan() / sy.cos() + rot.cos();
    let mut m = [d / scale, -b / scale, 0.0, -c / scale, a / scale, 0.0];
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
    m[2] += cx;
    m[5] += cy;
    m
}
