//! Pillow's separable resampling (bilinear or bicubic, with antialias) in Pillow's 8-bit
//! fixed point.
//!
//! Pillow widens the filter support by the downscale factor (antialias), normalises the
//! weights in f64, then rounds them to 22-bit fixed point; each pass rounds to u8. The
//! horizontal pass runs first, on only the rows the vertical pass reads.

use image::RgbImage;

const PRECISION_BITS: u32 = 32 - 8 - 2;

/// Fixed-point weights of one 1-D pass: for each output index, the first input index,
/// the tap count, and `ksize` weights.
struct Coeffs {
    bounds: Vec<(usize, usize)>,
    ksize: usize,
    weights: Vec<i32>,
}

/// Pillow's resampling filters (`Image.BILINEAR`, `Image.BICUBIC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Filter {
    /// Triangle filter, support 1 (torchvision's default for PIL images).
    #[default]
    Bilinear,
    /// Keys' cubic with a = -0.5, support 2 (timm's eval interpolation for most models).
    Bicubic,
}

impl Filter {
    fn support(self) -> f64 {
        match self {
            Self::Bilinear => 1.0,
            Self::Bicubic => 2.0,
        }
    }

    fn eval(self, x: f64) -> f64 {
        let x = x.abs();
        match self {
            Self::Bilinear => {
                if x < 1.0 {
                    1.0 - x
                } else {
                    0.0
                }
            }
            Self::Bicubic => {
                const A: f64 = -0.5;
                if x < 1.0 {
                    ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0
                } else if x < 2.0 {
                    (((x - 5.0) * x + 8.0) * x - 4.0) * A
                } else {
                    0.0
                }
            }
        }
    }
}

impl std::str::FromStr for Filter {
    type Err = crate::error::AugmentError;
    fn from_str(s: &str) -> crate::error::Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "bilinear" => Ok(Self::Bilinear),
            "bicubic" => Ok(Self::Bicubic),
            other => Err(crate::error::invalid(
                "interpolation",
                format!("unknown filter `{other}` (bilinear, bicubic)"),
            )),
        }
    }
}

fn precompute(in_size: usize, in0: f64, in1: f64, out_size: usize, filter: Filter) -> Coeffs {
    let scale = (in1 - in0) / out_size as f64;
    let filterscale = scale.max(1.0);
    let support = filter.support() * filterscale;
    let ksize = support.ceil() as usize * 2 + 1;
    let mut bounds = Vec::with_capacity(out_size);
    let mut weights = vec![0i32; out_size * ksize];
    let mut k = vec![0f64; ksize];
    let ss = 1.0 / filterscale;
    for xx in 0..out_size {
        let center = in0 + (xx as f64 + 0.5) * scale;
        // `as i64` truncates toward zero like C's (int) cast.
        let xmin = ((center - support + 0.5) as i64).max(0) as usize;
        let xmax = ((center + support + 0.5) as i64)
            .min(in_size as i64)
            .max(xmin as i64) as usize
            - xmin;
        let xmax = xmax.min(ksize);
        let mut ww = 0.0;
        for (x, kx) in k.iter_mut().enumerate().take(xmax) {
            let w = filter.eval(((x + xmin) as f64 - center + 0.5) * ss);
            *kx = w;
            ww += w;
        }
        let row = &mut weights[xx * ksize..xx * ksize + xmax];
        for (x, out) in row.iter_mut().enumerate() {
            let w = if ww != 0.0 { k[x] / ww } else { k[x] };
            let f = w * (1u32 << PRECISION_BITS) as f64;
            *out = if w < 0.0 {
                (f - 0.5).trunc() as i32
            } else {
                (f + 0.5).trunc() as i32
            };
        }
        bounds.push((xmin, xmax));
    }
    Coeffs {
        bounds,
        ksize,
        weights,
    }
}

#[inline]
fn clip8(v: i32) -> u8 {
    (v >> PRECISION_BITS).clamp(0, 255) as u8
}

/// Horizontal pass over rows `y0..y1` of a packed RGB buffer `src` of width `w_in`.
fn pass_h(src: &[u8], w_in: usize, y0: usize, y1: usize, c: &Coeffs) -> Vec<u8> {
    let w_out = c.bounds.len();
    let mut out = vec![0u8; (y1 - y0) * w_out * 3];
    let half = 1i32 << (PRECISION_BITS - 1);
    for (oy, y) in (y0..y1).enumerate() {
        let row = &src[y * w_in * 3..(y + 1) * w_in * 3];
        let orow = &mut out[oy * w_out * 3..(oy + 1) * w_out * 3];
        for (xx, &(xmin, n)) in c.bounds.iter().enumerate() {
            let k = &c.weights[xx * c.ksize..xx * c.ksize + n];
            let px = &row[xmin * 3..(xmin + n) * 3];
            let (mut r, mut g, mut b) = (half, half, half);
            for (w, p) in k.iter().zip(px.chunks_exact(3)) {
                r += p[0] as i32 * w;
                g += p[1] as i32 * w;
                b += p[2] as i32 * w;
            }
            orow[xx * 3] = clip8(r);
            orow[xx * 3 + 1] = clip8(g);
            orow[xx * 3 + 2] = clip8(b);
        }
    }
    out
}

/// Vertical pass: `src` holds rows starting at input row `offset`, each `w * 3` bytes.
fn pass_v(src: &[u8], w: usize, offset: usize, c: &Coeffs) -> Vec<u8> {
    let h_out = c.bounds.len();
    let stride = w * 3;
    let mut out = vec![0u8; h_out * stride];
    let half = 1i32 << (PRECISION_BITS - 1);
    let mut acc = vec![0i32; stride];
    for (yy, &(ymin, n)) in c.bounds.iter().enumerate() {
        acc.fill(half);
        let k = &c.weights[yy * c.ksize..yy * c.ksize + n];
        for (j, &wgt) in k.iter().enumerate() {
            let y = ymin + j - offset;
            let row = &src[y * stride..(y + 1) * stride];
            for (a, &p) in acc.iter_mut().zip(row) {
                *a += p as i32 * wgt;
            }
        }
        for (o, &a) in out[yy * stride..(yy + 1) * stride].iter_mut().zip(&acc) {
            *o = clip8(a);
        }
    }
    out
}

/// Resizes to exactly `w_out` x `h_out` as Pillow's `Image.resize(..., BILINEAR)` does.
pub fn resize_exact(img: &RgbImage, w_out: u32, h_out: u32) -> RgbImage {
    resize_exact_with(img, w_out, h_out, Filter::Bilinear)
}

/// Resizes to exactly `w_out` x `h_out` as Pillow's `Image.resize(..., filter)` does.
pub fn resize_exact_with(img: &RgbImage, w_out: u32, h_out: u32, filter: Filter) -> RgbImage {
    let (w_in, h_in) = (img.width() as usize, img.height() as usize);
    let (wo, ho) = (w_out as usize, h_out as usize);
    if (wo, ho) == (w_in, h_in) || wo == 0 || ho == 0 || w_in == 0 || h_in == 0 {
        if wo == 0 || ho == 0 || w_in == 0 || h_in == 0 {
            return RgbImage::new(w_out, h_out);
        }
        return img.clone();
    }
    let need_h = wo != w_in;
    let need_v = ho != h_in;
    let src = img.as_raw();
    let ch = precompute(w_in, 0.0, w_in as f64, wo, filter);
    let cv = precompute(h_in, 0.0, h_in as f64, ho, filter);
    let data = match (need_h, need_v) {
        (true, true) => {
            let first = cv.bounds[0].0;
            let last = cv.bounds.iter().map(|&(a, n)| a + n).max().unwrap_or(first);
            let tmp = pass_h(src, w_in, first, last, &ch);
            pass_v(&tmp, wo, first, &cv)
        }
        (true, false) => pass_h(src, w_in, 0, h_in, &ch),
        (false, true) => pass_v(src, w_in, 0, &cv),
        (false, false) => src.clone(),
    };
    RgbImage::from_raw(w_out, h_out, data).expect("buffer size matches dimensions")
}

/// The output size of torchvision's `resize(img, size)` with an int size: the shorter side
/// becomes `size`, the longer one `int(size * long / short)`.
pub fn shorter_side_size(width: u32, height: u32, size: u32) -> (u32, u32) {
    let (short, long) = if width <= height {
        (width, height)
    } else {
        (height, width)
    };
    let new_long = (size as f64 * long as f64 / short.max(1) as f64) as u32;
    if width <= height {
        (size, new_long)
    } else {
        (new_long, size)
    }
}

/// Resizes the shorter side to `size` (torchvision `resize` on a PIL image, bilinear).
pub fn resize_shorter(img: &RgbImage, size: u32) -> RgbImage {
    resize_shorter_with(img, size, Filter::Bilinear)
}

/// Resizes the shorter side to `size` with `filter` (torchvision `resize` on a PIL image).
pub fn resize_shorter_with(img: &RgbImage, size: u32, filter: Filter) -> RgbImage {
    let (w, h) = shorter_side_size(img.width(), img.height(), size);
    resize_exact_with(img, w, h, filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bicubic_keeps_flat_images_flat_and_same_sizes_unchanged() {
        let flat = RgbImage::from_pixel(37, 23, image::Rgb([200, 17, 90]));
        for (w, h) in [(16, 10), (50, 31), (37, 11)] {
            let out = resize_exact_with(&flat, w, h, Filter::Bicubic);
            assert!(out.pixels().all(|p| p.0 == [200, 17, 90]), "{w}x{h}");
        }
        let ramp = RgbImage::from_fn(9, 7, |x, y| image::Rgb([(x * 20) as u8, (y * 30) as u8, 5]));
        assert_eq!(resize_exact_with(&ramp, 9, 7, Filter::Bicubic), ramp);
    }

    #[test]
    fn bicubic_overshoots_edges_where_bilinear_does_not() {
        // A step edge: the cubic's negative lobes ring (clipped to 0..255), bilinear never does.
        let step = RgbImage::from_fn(8, 1, |x, _| image::Rgb([if x < 4 { 60 } else { 190 }; 3]));
        let cubic = resize_exact_with(&step, 20, 1, Filter::Bicubic);
        let linear = resize_exact_with(&step, 20, 1, Filter::Bilinear);
        assert!(cubic.pixels().any(|p| p.0[0] < 60 || p.0[0] > 190));
        assert!(linear.pixels().all(|p| (60..=190).contains(&p.0[0])));
        assert_eq!("bicubic".parse::<Filter>().unwrap(), Filter::Bicubic);
        assert!("lanczos".parse::<Filter>().is_err());
    }
}
