//! Reading image files as every command does: the format from the content (the extension only
//! when the content says nothing), 8-bit RGB out (16-bit, greyscale, alpha and CMYK converted),
//! and a pixel limit checked from the header before any pixel buffer is allocated.

use std::io::Cursor;
use std::path::Path;

use image::{ImageFormat, ImageReader, RgbImage};

use crate::error::{AugmentError, Result};

/// The most pixels an image may have: Pillow's decompression-bomb error threshold
/// (2 x `Image.MAX_IMAGE_PIXELS`), so we refuse what torchvision-on-PIL refuses. The decoder's
/// own cap of 512 MiB per image (`image::Limits::default`) also stays in force.
pub const MAX_IMAGE_PIXELS: u64 = 178_956_970;

/// Decodes the image file at `path` to 8-bit RGB; errors name the file.
pub fn read_image(path: &Path) -> Result<RgbImage> {
    let bytes = std::fs::read(path).map_err(|source| AugmentError::ImageRead {
        path: path.to_path_buf(),
        source,
    })?;
    decode(
        &bytes,
        &path.display().to_string(),
        ImageFormat::from_path(path).ok(),
    )
}

/// Decodes encoded image bytes to 8-bit RGB; errors name `origin` (a file, `file#row`, ...).
pub fn decode_image_bytes(bytes: &[u8], origin: &str) -> Result<RgbImage> {
    decode(bytes, origin, None)
}

fn decode(bytes: &[u8], origin: &str, hint: Option<ImageFormat>) -> Result<RgbImage> {
    let failed = |source| AugmentError::ImageDecode {
        origin: origin.to_string(),
        source: Box::new(source),
    };
    if bytes.is_empty() {
        return Err(AugmentError::ImageEmpty(origin.to_string()));
    }
    let reader = || -> Result<ImageReader<Cursor<&[u8]>>> {
        let mut r = ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| failed(image::ImageError::IoError(e)))?;
        if let (None, Some(f)) = (r.format(), hint) {
            r.set_format(f);
        }
        Ok(r)
    };
    let (width, height) = reader()?.into_dimensions().map_err(failed)?;
    if u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS {
        return Err(AugmentError::ImageTooLarge {
            origin: origin.to_string(),
            width,
            height,
        });
    }
    Ok(reader()?.decode().map_err(failed)?.into_rgb8())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(img: &image::DynamicImage) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn greyscale_and_16_bit_become_8_bit_rgb() {
        let grey = image::GrayImage::from_pixel(3, 2, image::Luma([40]));
        let rgb = decode_image_bytes(&png(&grey.into()), "g").unwrap();
        assert_eq!(rgb.get_pixel(2, 1).0, [40, 40, 40]);
        let deep = image::ImageBuffer::from_pixel(2, 2, image::Rgb([0u16, 257 * 9, 65535]));
        let rgb = decode_image_bytes(&png(&image::DynamicImage::ImageRgb16(deep)), "d").unwrap();
        assert_eq!(rgb.get_pixel(1, 1).0, [0, 9, 255]);
    }

    #[test]
    fn an_empty_file_is_refused_by_name() {
        let e = decode_image_bytes(&[], "a.png").unwrap_err().to_string();
        assert!(e.contains("a.png") && e.contains("empty"), "{e}");
    }
}
