//! Where one image's pixels live and how to decode them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use image::RgbImage;

use crate::error::{DatasetError, Result};

/// How raw pixels are laid out in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawLayout {
    /// All red values, then all green, then all blue (the CIFAR python batches).
    Planar,
    /// RGB triplets per pixel.
    Interleaved,
}

/// The pixels of one image, decoded on demand.
#[derive(Debug, Clone)]
pub enum ImageSource {
    /// An image file (PNG, JPEG).
    File(PathBuf),
    /// An encoded image held in memory (e.g. a parquet cell).
    Encoded {
        /// The PNG/JPEG bytes.
        bytes: Arc<[u8]>,
        /// Where they came from, for error messages (`file#row`).
        origin: String,
    },
    /// Raw u8 RGB pixels inside a shared buffer.
    Raw {
        /// The buffer holding many images.
        pixels: Arc<[u8]>,
        /// Byte offset of this image in `pixels`.
        offset: usize,
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Plane or pixel order.
        layout: RawLayout,
        /// Where they came from, for error messages (`file#row`).
        origin: String,
    },
}

impl ImageSource {
    /// A human-readable name of the source (a path, or `file#row`).
    pub fn origin(&self) -> String {
        match self {
            ImageSource::File(path) => path.display().to_string(),
            ImageSource::Encoded { origin, .. } | ImageSource::Raw { origin, .. } => origin.clone(),
        }
    }

    /// The file path when the image is a file of its own.
    pub fn path(&self) -> Option<&Path> {
        match self {
            ImageSource::File(path) => Some(path),
            _ => None,
        }
    }

    /// Decodes the image to 8-bit RGB.
    pub fn decode(&self) -> Result<RgbImage> {
        match self {
            ImageSource::File(path) => decode_file(path),
            ImageSource::Encoded { bytes, origin } => decode_bytes(bytes, origin),
            ImageSource::Raw {
                pixels,
                offset,
                width,
                height,
                layout,
                origin,
            } => {
                let area = *width as usize * *height as usize;
                let end = offset + 3 * area;
                let Some(src) = pixels.get(*offset..end) else {
                    return Err(DatasetError::Image {
                        origin: origin.clone(),
                        reason: format!("buffer holds {} bytes, image needs {end}", pixels.len()),
                    });
                };
                let data = match layout {
                    RawLayout::Interleaved => src.to_vec(),
                    RawLayout::Planar => {
                        let mut out = vec![0u8; 3 * area];
                        for (p, px) in out.chunks_exact_mut(3).enumerate() {
                            px[0] = src[p];
                            px[1] = src[area + p];
                            px[2] = src[2 * area + p];
                        }
                        out
                    }
                };
                RgbImage::from_raw(*width, *height, data).ok_or_else(|| DatasetError::Image {
                    origin: origin.clone(),
                    reason: "wrong buffer size".into(),
                })
            }
        }
    }
}

/// Decodes an image file to RGB, naming the file on failure (format from the content, the
/// pixel limit [`sslinv_augment::MAX_IMAGE_PIXELS`] checked from the header).
pub fn decode_file(path: &Path) -> Result<RgbImage> {
    Ok(sslinv_augment::read_image(path)?)
}

/// Decodes encoded image bytes to RGB, naming `origin` on failure.
pub fn decode_bytes(bytes: &[u8], origin: &str) -> Result<RgbImage> {
    Ok(sslinv_augment::decode_image_bytes(bytes, origin)?)
}

/// Reads the width and height of an image file from its header, without decoding the pixels.
pub fn image_size(path: &Path) -> Result<(u32, u32)> {
    let reader = image::ImageReader::open(path)
        .map_err(|e| DatasetError::io(path, e))?
        .with_guessed_format()
        .map_err(|e| DatasetError::io(path, e))?;
    reader.into_dimensions().map_err(|e| DatasetError::Image {
        origin: path.display().to_string(),
        reason: e.to_string(),
    })
}
