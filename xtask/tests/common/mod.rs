//! Helpers shared by the command-line tests.

use std::path::Path;

use image::{Rgb, RgbImage};

/// A 32 px PNG of class `c`, image `i`: the class's colour and a per-image pattern.
pub fn write_image(path: &Path, c: u32, i: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    RgbImage::from_fn(32, 32, |x, y| {
        let wave = ((x * (i + 3) + y * (c + 1)) % 17) as u8 * 4;
        Rgb([(c * 80) as u8 ^ wave, (x * 7) as u8, (y * 7 + c * 30) as u8])
    })
    .save(path)
    .unwrap();
}
