//! Batched feature extraction over tensors or images.

use crate::encoder::Encoder;
use crate::error::Result;
use candle_core::{Device, Tensor};
use image::RgbImage;
use sslinv_augment::Preprocess;

/// Features of an N x 3 x H x W batch, `batch_size` images at a time (N x D on the CPU).
pub fn extract_features(encoder: &dyn Encoder, x: &Tensor, batch_size: usize) -> Result<Tensor> {
    let n = x.dim(0)?;
    let step = batch_size.max(1);
    let mut out = Vec::with_capacity(n.div_ceil(step));
    for start in (0..n).step_by(step) {
        let len = step.min(n - start);
        out.push(
            encoder
                .features(&x.narrow(0, start, len)?)?
                .to_device(&Device::Cpu)?,
        );
    }
    if out.is_empty() {
        return Ok(Tensor::zeros(
            (0, encoder.dim()),
            candle_core::DType::F32,
            &Device::Cpu,
        )?);
    }
    Ok(Tensor::cat(&out, 0)?)
}

/// Features of images preprocessed by `prep`, in order; `progress` is told how many images
/// each finished batch held.
pub fn extract_image_features(
    encoder: &dyn Encoder,
    images: &[RgbImage],
    prep: &Preprocess,
    batch_size: usize,
    device: &Device,
    mut progress: impl FnMut(usize),
) -> Result<Tensor> {
    let mut out = Vec::new();
    for chunk in images.chunks(batch_size.max(1)) {
        let x = prep.to_tensor(chunk, device)?;
        out.push(encoder.features(&x)?.to_device(&Device::Cpu)?);
        progress(chunk.len());
    }
    if out.is_empty() {
        return Ok(Tensor::zeros(
            (0, encoder.dim()),
            candle_core::DType::F32,
            &Device::Cpu,
        )?);
    }
    Ok(Tensor::cat(&out, 0)?)
}
