//! Crop boxes that may reach past the image border (filled with black, as PIL's crop).

use image::RgbImage;

/// A window in image coordinates; parts outside the image read as black.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CropBox {
    /// Left edge (may be negative).
    pub left: i64,
    /// Top edge (may be negative).
    pub top: i64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl CropBox {
    /// The centred square of side `min(width, height)`, as the paper's LSP code takes it.
    pub fn centre(width: u32, height: u32) -> CropBox {
        let side = width.min(height);
        CropBox {
            left: ((width - side) / 2) as i64,
            top: ((height - side) / 2) as i64,
            width: side,
            height: side,
        }
    }

    /// What PIL's `crop((left, top, left + width, top + height))` cuts for a float box: each edge
    /// rounded on its own with Python's `round` (ties to even), so a .5 corner can lose a pixel.
    pub fn pil(left: f64, top: f64, width: f64, height: f64) -> CropBox {
        let (x0, y0) = (left.round_ties_even(), top.round_ties_even());
        let (x1, y1) = (
            (left + width).round_ties_even(),
            (top + height).round_ties_even(),
        );
        CropBox {
            left: x0 as i64,
            top: y0 as i64,
            width: (x1 - x0).max(0.0) as u32,
            height: (y1 - y0).max(0.0) as u32,
        }
    }

    /// Cuts the window out of `image`.
    pub fn apply(&self, image: &RgbImage) -> RgbImage {
        let (w, h) = (image.width() as i64, image.height() as i64);
        let mut out = RgbImage::new(self.width, self.height);
        let (cw, ch) = (self.width as i64, self.height as i64);
        let x0 = self.left.max(0);
        let x1 = (self.left + cw).min(w);
        if x1 <= x0 {
            return out;
        }
        let src = image.as_raw();
        let len = ((x1 - x0) * 3) as usize;
        let dst: &mut [u8] = &mut out;
        for oy in 0..ch {
            let y = self.top + oy;
            if y < 0 || y >= h {
                continue;
            }
            let src_off = ((y * w + x0) * 3) as usize;
            let dst_off = ((oy * cw + (x0 - self.left)) * 3) as usize;
            dst[dst_off..dst_off + len].copy_from_slice(&src[src_off..src_off + len]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crop_past_the_border_is_black() {
        let img = RgbImage::from_fn(4, 3, |x, y| image::Rgb([x as u8 + 1, y as u8 + 1, 9]));
        let c = CropBox {
            left: -1,
            top: 1,
            width: 3,
            height: 3,
        }
        .apply(&img);
        assert_eq!(c.get_pixel(0, 0).0, [0, 0, 0]);
        assert_eq!(c.get_pixel(1, 0).0, [1, 2, 9]);
        assert_eq!(c.get_pixel(2, 1).0, [2, 3, 9]);
        assert_eq!(c.get_pixel(1, 2).0, [0, 0, 0]);
        assert_eq!(
            CropBox::centre(6, 4),
            CropBox {
                left: 1,
                top: 0,
                width: 4,
                height: 4
            }
        );
    }

    #[test]
    fn pil_rounds_each_edge_to_even() {
        // round(7.5) = 8, round(38.5) = 38: 30 wide; round(4.5) = 4, round(35.5) = 36: 32 high.
        assert_eq!(
            CropBox::pil(7.5, 4.5, 31.0, 31.0),
            CropBox {
                left: 8,
                top: 4,
                width: 30,
                height: 32
            }
        );
        assert_eq!(
            CropBox::pil(-3.2, 10.6, 40.0, 40.0),
            CropBox {
                left: -3,
                top: 11,
                width: 40,
                height: 40
            }
        );
    }
}
