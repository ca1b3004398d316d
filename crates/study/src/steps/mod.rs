//! One file per kind of step; each reads its inputs, writes its outputs atomically.

pub mod extrinsic;
pub mod features;
pub mod findings;
pub mod fusion;
pub mod multiview;
pub mod pretrain;
pub mod probe;
pub mod report;
pub mod stats;
pub mod synthetic;

use candle_core::Device;
use indicatif::{ProgressBar, ProgressStyle};
use sslinv_augment::Preprocess;
use sslinv_encoders::Encoder;

use crate::data::Images;
use crate::error::Result;

/// A progress bar with rate and ETA (hidden unless `show`).
pub fn progress(n: usize, unit: &str, msg: &str, show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(n as u64);
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "  {{msg:40}} {{bar:30}} {{pos}}/{{len}} {unit} [{{per_sec}}, {{elapsed}} < {{eta}}]"
    )) {
        bar.set_style(style);
    }
    bar.set_message(msg.to_string());
    bar
}

/// Row-major features (N x dim) of `images` after `prep`, `batch` images per forward pass,
/// decoding one batch at a time; `bar` advances per image.
pub fn encode(
    encoder: &dyn Encoder,
    images: &dyn Images,
    prep: &Preprocess,
    batch: usize,
    device: &Device,
    bar: &ProgressBar,
) -> Result<Vec<f32>> {
    let n = images.len();
    let mut out = Vec::with_capacity(n * encoder.dim());
    let batch = batch.max(1);
    for start in (0..n).step_by(batch) {
        let chunk = images.batch(start..(start + batch).min(n))?;
        let x = prep.to_tensor(&chunk, device)?;
        let f = encoder.features(&x)?;
        out.extend(f.to_device(&Device::Cpu)?.flatten_all()?.to_vec1::<f32>()?);
        bar.inc(chunk.len() as u64);
    }
    Ok(out)
}
