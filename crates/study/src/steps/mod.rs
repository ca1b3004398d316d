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
use crate::runner::Runner;

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

/// One model's encoder, set up as every feature-extracting step needs it: the model's eval
/// preprocessing, the preset's batch and device, and a progress bar over the images.
pub struct Encoding<'r> {
    encoder: &'r dyn Encoder,
    prep: Preprocess,
    /// Images per forward pass.
    pub batch: usize,
    device: Device,
    bar: ProgressBar,
}

impl<'r> Encoding<'r> {
    /// `model` with eval preprocessing at shorter side `resize`, for `n` images under a
    /// progress bar saying `msg`.
    pub fn new(r: &'r mut Runner, model: &str, resize: u32, n: usize, msg: &str) -> Result<Self> {
        let prep = r.preprocess(model, Some(resize), Some(r.preset.eval().crop))?;
        let (batch, device) = (r.preset.invariance.batch, r.device.clone());
        let bar = progress(n, "images", msg, r.progress);
        Ok(Encoding {
            encoder: r.encoder(model)?,
            prep,
            batch,
            device,
            bar,
        })
    }

    /// The feature width.
    pub fn dim(&self) -> usize {
        self.encoder.dim()
    }

    /// Row-major features (N x dim) of `images`, decoding one batch at a time; the bar
    /// advances per image.
    pub fn encode(&self, images: &dyn Images) -> Result<Vec<f32>> {
        let n = images.len();
        let mut out = Vec::with_capacity(n * self.dim());
        let batch = self.batch.max(1);
        for start in (0..n).step_by(batch) {
            let chunk = images.batch(start..(start + batch).min(n))?;
            let x = self.prep.to_tensor(&chunk, &self.device)?;
            let f = self.encoder.features(&x)?;
            out.extend(f.to_device(&Device::Cpu)?.flatten_all()?.to_vec1::<f32>()?);
            self.bar.inc(chunk.len() as u64);
        }
        Ok(out)
    }

    /// Clears the progress bar.
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}
