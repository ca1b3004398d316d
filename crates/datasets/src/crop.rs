//! Square crops that may reach past the image border (filled with black, as PIL's crop).

use image::RgbImage;

/// A square window in image coordinates; parts outside the image read as black.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SquareCrop {
    /// Left edge (may be negative).
    pub left: i64,
    /// Top edge (may be negative).
    pub top: i64,
    /// Side length in pixels.
    pub side: u32,
}

impl SquareCrop {
    /// The centred square of side `min(width, height)`, as the paper's LSP and CelebA code take it.
    pub fn centre(width: u32, height: u32) -> SquareCrop {
        let side = width.min(height);
        SquareCrop {
            left: ((width - side) / 2) as i64,
            top: ((height - side) / 2) as i64,
            side,
        }
    }

    /// Cuts the window out of `image`.
    pub fn apply(&self, image: &RgbImage) -> RgbImage {
        let (w, h) = (image.width() as i64, image.height() as i64);
        let mut out = RgbImage::new(self.side, self.side);
        let side = self.side as i64;
        let x0 = self.left.max(0);
        let x1 = (self.left + side).min(w);
        if x1 <= x0 {
            return out;
        }
        for oy in 0..side {
            let y = self.top + oy;
            if y < 0 || y >= h {
                continue;
            }
            let src = image.as_raw();
            let row = (y * w) as usize * 3;
            let dst_off = ((oy * side + (x0 - self.left)) * 3) as usize;
            let len = ((x1 - x0) * 3) as usize;
            let src_off = row + x0 as usize * 3;
            let dst: &mut [u8] = &mut out;
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
        let c = SquareCrop {
            left: -1,
            top: 1,
            side: 3,
        }
        .apply(&img);
        assert_eq!(c.get_pixel(0, 0).0, [0, 0, 0]);
        assert_eq!(c.get_pixel(1, 0).0, [1, 2, 9]);
        assert_eq!(c.get_pixel(2, 1).0, [2, 3, 9]);
        assert_eq!(c.get_pixel(1, 2).0, [0, 0, 0]);
        assert_eq!(
            SquareCrop::centre(6, 4),
            SquareCrop {
                left: 1,
                top: 0,
                side: 4
            }
        );
    }
}
