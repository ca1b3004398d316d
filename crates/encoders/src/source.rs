//! Where extraction gets its images: a batch at a time, so memory is bounded by the batch.

use crate::error::{EncoderError, Result};
use image::RgbImage;
use rayon::prelude::*;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// An ordered collection of images that hands them out a batch at a time.
pub trait ImageSource {
    /// Number of images.
    fn len(&self) -> usize;
    /// Whether there are no images.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Images `range.start..range.end`, in order.
    fn batch(&self, range: Range<usize>) -> Result<Vec<RgbImage>>;
}

impl ImageSource for [RgbImage] {
    fn len(&self) -> usize {
        <[RgbImage]>::len(self)
    }
    fn batch(&self, range: Range<usize>) -> Result<Vec<RgbImage>> {
        Ok(self[range].to_vec())
    }
}

impl ImageSource for Vec<RgbImage> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn batch(&self, range: Range<usize>) -> Result<Vec<RgbImage>> {
        self.as_slice().batch(range)
    }
}

/// Decodes an image file to RGB, naming the file in any error (see
/// [`sslinv_augment::read_image`]: format from the content, a pixel limit from the header).
pub fn decode_image(path: &Path) -> Result<RgbImage> {
    Ok(sslinv_augment::read_image(path)?)
}

/// Image files, decoded in parallel one batch at a time.
impl ImageSource for [PathBuf] {
    fn len(&self) -> usize {
        <[PathBuf]>::len(self)
    }
    fn batch(&self, range: Range<usize>) -> Result<Vec<RgbImage>> {
        self[range].par_iter().map(|p| decode_image(p)).collect()
    }
}

impl ImageSource for Vec<PathBuf> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn batch(&self, range: Range<usize>) -> Result<Vec<RgbImage>> {
        self.as_slice().batch(range)
    }
}

/// A source made of a length and a function that decodes images `range` (a dataset, a
/// streaming reader); its errors are kept as the cause.
pub struct FnSource<F> {
    len: usize,
    decode: F,
}

impl<F, E> FnSource<F>
where
    F: Fn(Range<usize>) -> std::result::Result<Vec<RgbImage>, E>,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    /// `len` images, batch `r` given by `decode(r)`.
    pub fn new(len: usize, decode: F) -> Self {
        Self { len, decode }
    }
}

impl<F, E> ImageSource for FnSource<F>
where
    F: Fn(Range<usize>) -> std::result::Result<Vec<RgbImage>, E>,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn len(&self) -> usize {
        self.len
    }
    fn batch(&self, range: Range<usize>) -> Result<Vec<RgbImage>> {
        let (start, end) = (range.start, range.end);
        let images = (self.decode)(range).map_err(|e| EncoderError::Images {
            start,
            end,
            source: e.into(),
        })?;
        if images.len() != end - start {
            return Err(EncoderError::SourceCount {
                start,
                end,
                got: images.len(),
            });
        }
        Ok(images)
    }
}
