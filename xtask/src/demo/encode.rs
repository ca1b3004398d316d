//! Turning images into feature rows with an encoder, for the demo's measurements.

use anyhow::Context;
use candle_core::Device;
use image::RgbImage;
use sslinv_augment::Preprocess;
use sslinv_encoders::Encoder;

/// Row-major features (N x dim) of `images` after `prep`, in batches of `batch`.
pub fn encode(
    encoder: &dyn Encoder,
    images: &[RgbImage],
    prep: &Preprocess,
    batch: usize,
) -> anyhow::Result<Vec<f32>> {
    let mut out = Vec::with_capacity(images.len() * encoder.dim());
    for chunk in images.chunks(batch.max(1)) {
        let x = prep
            .to_tensor(chunk, &Device::Cpu)
            .context("preprocessing images")?;
        let f = encoder.features(&x).context("encoder forward pass")?;
        out.extend(f.flatten_all()?.to_vec1::<f32>()?);
    }
    Ok(out)
}

/// Concatenates per-model row-major features (same rows) into one matrix, as fusion by `cat`.
pub fn concat_rows(parts: &[(&[f32], usize)], rows: usize) -> Vec<f32> {
    let dim: usize = parts.iter().map(|p| p.1).sum();
    let mut out = Vec::with_capacity(rows * dim);
    for r in 0..rows {
        for (data, d) in parts {
            out.extend_from_slice(&data[r * d..(r + 1) * d]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::concat_rows;

    #[test]
    fn concatenates_row_by_row() {
        let a = [1.0, 2.0, 3.0, 4.0]; // 2 x 2
        let b = [9.0, 8.0]; // 2 x 1
        assert_eq!(
            concat_rows(&[(&a, 2), (&b, 1)], 2),
            vec![1.0, 2.0, 9.0, 3.0, 4.0, 8.0]
        );
    }
}
