//! The images an encoder sees in a sweep: a setting applied at the image's own size, then the
//! final geometry of a `Preprocess` (the paper's: resize 256 + centre crop 224).

use image::RgbImage;
use sslinv_augment::{Op, Preprocess, Sweep};

use crate::error::{InvarianceError, Result};

/// Side of the final square when the preprocessing names no crop.
const DEFAULT_SIDE: u32 = 224;

/// Setting `i` of `sweep` applied to `img`, then `prep`'s resize and centre crop; resized_crop
/// resizes its box straight to the crop size. With `Preprocess::stats256()` this is
/// `Sweep::apply`.
pub fn sweep_view(sweep: &Sweep, i: usize, img: &RgbImage, prep: &Preprocess) -> Result<RgbImage> {
    let op = sweep
        .op(i, img.width(), img.height())
        .map_err(|e| augment_err("sweep op", e))?;
    match op {
        Some(mut crop @ Op::ResizedCrop { .. }) => {
            if let Op::ResizedCrop { size, .. } = &mut crop {
                *size = prep.crop.or(prep.resize).unwrap_or(DEFAULT_SIDE);
            }
            crop.apply(img).map_err(|e| augment_err("resized_crop", e))
        }
        Some(op) => Ok(prep.image(&op.apply(img).map_err(|e| augment_err("sweep op", e))?)),
        None => Ok(prep.image(img)),
    }
}

/// The untransformed image as the sweep's reference sees it (`prep`'s resize and crop).
pub fn clean_view(img: &RgbImage, prep: &Preprocess) -> RgbImage {
    prep.image(img)
}

fn augment_err(context: &str, source: sslinv_augment::AugmentError) -> InvarianceError {
    InvarianceError::Augment {
        context: context.to_string(),
        source,
    }
}
