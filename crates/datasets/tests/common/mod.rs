//! Helpers that write tiny datasets in their real layouts into temporary folders.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use image::{Rgb, RgbImage};

/// The committed fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A recognisable w x h image whose pixel (0, 0) encodes `tag`.
pub fn pattern(w: u32, h: u32, tag: u8) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb([tag, (x * 7 % 256) as u8, (y * 11 % 256) as u8])
    })
}

/// Writes an image (format from the extension), creating parent folders.
pub fn write_image(path: &Path, w: u32, h: u32, tag: u8) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    pattern(w, h, tag).save(path).unwrap();
}

/// Writes a text file, creating parent folders.
pub fn write_text(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Copies a committed fixture file to `dst`.
pub fn copy_fixture(rel: &str, dst: &Path) {
    std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
    std::fs::copy(fixtures().join(rel), dst).unwrap();
}

/// Writes an iBUG `.pts` file.
pub fn write_pts(path: &Path, points: &[[f64; 2]]) {
    let mut s = format!("version: 1\nn_points:  {}\n{{\n", points.len());
    for p in points {
        s.push_str(&format!("{} {}\n", p[0], p[1]));
    }
    s.push_str("}\n");
    write_text(path, &s);
}
