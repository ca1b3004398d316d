//! Evaluation batches: batch `k` of a list of images, decoded and preprocessed on demand, so a
//! statistics pass or a sweep over ImageNet val holds one batch, never the dataset.

use candle_core::{Device, Tensor};
use image::RgbImage;
use rayon::prelude::*;
use sslinv_augment::Preprocess;

use super::source::StreamSource;
use crate::error::Result;

/// How many batches of `batch_size` cover `n` images (the last one may be shorter).
pub fn batch_count(n: usize, batch_size: usize) -> usize {
    n.div_ceil(batch_size.max(1))
}

/// The source indices of batch `k`: `k * batch_size .. min(n, (k + 1) * batch_size)`.
pub fn batch_range(n: usize, batch_size: usize, k: usize) -> std::ops::Range<usize> {
    let start = k.saturating_mul(batch_size).min(n);
    start..start.saturating_add(batch_size).min(n)
}

/// Batch `k` of `source` in its order, decoded in parallel and each image passed through
/// `prep`; fails on the first unreadable image, naming it.
pub fn decode_batch<S, T>(
    source: &S,
    batch_size: usize,
    k: usize,
    prep: impl Fn(RgbImage) -> T + Sync + Send,
) -> Result<Vec<T>>
where
    S: StreamSource + ?Sized,
    T: Send,
{
    batch_range(source.len(), batch_size, k)
        .into_par_iter()
        .map(|i| source.load(i).map(&prep))
        .collect()
}

/// Batch `k` of `source` as one N x 3 x H x W tensor under `preprocess` (e.g.
/// [`Preprocess::stats256`]: resize 256, centre crop 224, ImageNet normalisation).
pub fn batch_tensor<S: StreamSource + ?Sized>(
    source: &S,
    batch_size: usize,
    k: usize,
    preprocess: &Preprocess,
    device: &Device,
) -> Result<Tensor> {
    // to_tensor resizes and crops in parallel itself (resize + crop is not idempotent).
    let images = decode_batch(source, batch_size, k, |img| img)?;
    Ok(preprocess.to_tensor(&images, device)?)
}
