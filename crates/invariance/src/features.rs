//! Feature functions: what the runners call to turn final-size images into feature rows.

use image::RgbImage;

use crate::error::Result;

/// Maps final-size images to row-major feature rows (one row per image, `dim` columns).
pub trait FeatureFn {
    /// Feature dimension.
    fn dim(&self) -> usize;
    /// Features of `images` (already resized and cropped), `images.len() * dim` values.
    fn features(&mut self, images: &[RgbImage]) -> Result<Vec<f32>>;
}

/// A closure with a known dimension as a [`FeatureFn`].
pub struct FnFeatures<F> {
    dim: usize,
    f: F,
}

impl<F: FnMut(&[RgbImage]) -> Result<Vec<f32>>> FnFeatures<F> {
    /// Wraps `f`, which returns `dim` values per image.
    pub fn new(dim: usize, f: F) -> Self {
        Self { dim, f }
    }
}

impl<F: FnMut(&[RgbImage]) -> Result<Vec<f32>>> FeatureFn for FnFeatures<F> {
    fn dim(&self) -> usize {
        self.dim
    }

    fn features(&mut self, images: &[RgbImage]) -> Result<Vec<f32>> {
        (self.f)(images)
    }
}

/// Features of `images` in chunks of at most `batch` images, checked for shape and NaN
/// (errors name `source`).
pub fn batched_features(
    f: &mut dyn FeatureFn,
    images: &[RgbImage],
    batch: usize,
    source: &str,
) -> Result<Vec<f32>> {
    let d = f.dim();
    let mut out = Vec::with_capacity(images.len() * d);
    for chunk in images.chunks(batch.max(1)) {
        let rows = f.features(chunk)?;
        crate::error::InvarianceError::check_len(
            &format!("features from {source}"),
            chunk.len() * d,
            rows.len(),
        )?;
        if let Some(pos) = rows.iter().position(|v| !v.is_finite()) {
            return Err(crate::error::InvarianceError::NonFinite {
                source_name: source.to_string(),
                row: out.len() / d.max(1) + pos / d.max(1),
                col: pos % d.max(1),
            });
        }
        out.extend_from_slice(&rows);
    }
    Ok(out)
}
