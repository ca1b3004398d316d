//! Convolution ops: torchvision's Gaussian blur and Pillow's sharpness (SMOOTH kernel).

use image::RgbImage;

use crate::border::reflect101;
use crate::color::blend_images;

/// torchvision's 1-D Gaussian kernel in f32: `linspace(-(k-1)/2, (k-1)/2, k)`, normalised.
pub fn gaussian_kernel(ksize: usize, sigma: f64) -> Vec<f32> {
    let half = (ksize as f32 - 1.0) * 0.5;
    let sigma = sigma as f32;
    let step = if ksize > 1 {
        2.0 * half / (ksize as f32 - 1.0)
    } else {
        0.0
    };
    let pdf: Vec<f32> = (0..ksize)
        .map(|i| {
            let x = -half + i as f32 * step;
            (-0.5 * (x / sigma) * (x / sigma)).exp()
        })
        .collect();
    let sum: f32 = pdf.iter().sum();
    pdf.iter().map(|p| p / sum).collect()
}

/// torchvision `gaussian_blur` of a PIL image: reflect padding, f32 convolution, values
/// rounded half to even.
pub fn gaussian_blur(img: &RgbImage, ksize: usize, sigma: f64) -> RgbImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w == 0 || h == 0 {
        return img.clone();
    }
    let k = gaussian_kernel(ksize, sigma);
    let r = (ksize / 2) as i64;
    let src = img.as_raw();
    // Horizontal pass into f32, one padded row at a time.
    let mut tmp = vec![0f32; w * h * 3];
    let mut row = vec![0f32; (w + 2 * r as usize) * 3];
    for y in 0..h {
        for (j, px) in row.chunks_exact_mut(3).enumerate() {
            let x = reflect101(j as i64 - r, w as i64) as usize;
            let s = (y * w + x) * 3;
            px[0] = src[s] as f32;
            px[1] = src[s + 1] as f32;
            px[2] = src[s + 2] as f32;
        }
        let out = &mut tmp[y * w * 3..(y + 1) * w * 3];
        for x in 0..w {
            let (mut a, mut b, mut c) = (0f32, 0f32, 0f32);
            for (t, &kv) in k.iter().enumerate() {
                let p = &row[(x + t) * 3..(x + t) * 3 + 3];
                a += p[0] * kv;
                b += p[1] * kv;
                c += p[2] * kv;
            }
            out[x * 3] = a;
            out[x * 3 + 1] = b;
            out[x * 3 + 2] = c;
        }
    }
    // Vertical pass, accumulating whole rows.
    let stride = w * 3;
    let mut out = vec![0u8; w * h * 3];
    let mut acc = vec![0f32; stride];
    for y in 0..h {
        acc.fill(0.0);
        for (t, &kv) in k.iter().enumerate() {
            let sy = reflect101(y as i64 + t as i64 - r, h as i64) as usize;
            for (a, &v) in acc.iter_mut().zip(&tmp[sy * stride..(sy + 1) * stride]) {
                *a += v * kv;
            }
        }
        for (o, &a) in out[y * stride..(y + 1) * stride].iter_mut().zip(&acc) {
            *o = a.round_ties_even().clamp(0.0, 255.0) as u8;
        }
    }
    RgbImage::from_raw(w as u32, h as u32, out).expect("same size")
}

/// Pillow's `ImageFilter.SMOOTH` (3x3, centre 5, others 1, divided by 13) in float32;
/// the one-pixel border is copied unchanged.
pub fn smooth(img: &RgbImage) -> RgbImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut out = img.clone();
    if w < 3 || h < 3 {
        return out;
    }
    let k1 = 1.0f32 / 13.0;
    let k5 = 5.0f32 / 13.0;
    let src = img.as_raw();
    let dst = out.as_mut();
    let stride = w * 3;
    for y in 1..h - 1 {
        let (up, mid, dn) = (
            &src[(y - 1) * stride..y * stride],
            &src[y * stride..(y + 1) * stride],
            &src[(y + 1) * stride..(y + 2) * stride],
        );
        for x in 1..w - 1 {
            for c in 0..3 {
                let i = x * 3 + c;
                let row = |r: &[u8], kc: f32| {
                    r[i - 3] as f32 * k1 + r[i] as f32 * kc + r[i + 3] as f32 * k1
                };
                let mut ss = 0.5f32;
                ss += row(dn, k1);
                ss += row(mid, k5);
                ss += row(up, k1);
                dst[y * stride + i] = if ss <= 0.0 {
                    0
                } else if ss >= 255.0 {
                    255
                } else {
                    ss as u8
                };
            }
        }
    }
    out
}

/// `ImageEnhance.Sharpness(img).enhance(factor)`: blend with the SMOOTH-filtered image.
pub fn sharpness(img: &RgbImage, factor: f64) -> RgbImage {
    blend_images(&smooth(img), img, factor)
}
