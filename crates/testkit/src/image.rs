//! Small recognisable images.

use image::{Rgb, RgbImage};

/// A `w` x `h` image whose red channel is `tag` everywhere (so a test can tell images apart
/// after decoding) over a texture in green and blue.
pub fn pattern(w: u32, h: u32, tag: u8) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb([tag, (x * 7 % 256) as u8, (y * 11 % 256) as u8])
    })
}

/// PNG bytes of [`pattern`]`(w, h, tag)`.
pub fn png_bytes(w: u32, h: u32, tag: u8) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    pattern(w, h, tag)
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("PNG encoding to memory");
    out.into_inner()
}
