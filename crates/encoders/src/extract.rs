//! The one feature-extraction loop: any image source, a batch at a time, with a progress bar.

use crate::encoder::Encoder;
use crate::error::Result;
use crate::features::Features;
use crate::source::ImageSource;
use candle_core::Device;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sslinv_augment::Preprocess;

/// How [`extract`] runs.
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// Images per forward pass (memory is bounded by it).
    pub batch_size: usize,
    /// Whether to draw a progress bar on stderr.
    pub progress: bool,
    /// What the progress bar says it is doing.
    pub label: String,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        Self {
            batch_size: 32,
            progress: false,
            label: String::new(),
        }
    }
}

impl ExtractOptions {
    /// `batch_size` images per pass, no progress bar.
    pub fn new(batch_size: usize) -> Self {
        Self {
            batch_size,
            ..Self::default()
        }
    }

    /// The same with a progress bar labelled `label`.
    pub fn with_progress(mut self, label: impl Into<String>) -> Self {
        self.progress = true;
        self.label = label.into();
        self
    }
}

fn bar(len: usize, opts: &ExtractOptions) -> ProgressBar {
    if !opts.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} images {per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    bar.set_message(opts.label.clone());
    bar
}

/// Pooled features of every image of `images`, in order: each batch is taken from the source,
/// preprocessed by `prep`, run through `encoder` on `device` and copied back to the CPU.
pub fn extract<S: ImageSource + ?Sized>(
    encoder: &dyn Encoder,
    images: &S,
    prep: &Preprocess,
    device: &Device,
    opts: &ExtractOptions,
) -> Result<Features> {
    let n = images.len();
    let dim = encoder.dim();
    let step = opts.batch_size.max(1);
    let bar = bar(n, opts);
    let mut data = Vec::with_capacity(n * dim);
    for start in (0..n).step_by(step) {
        let end = (start + step).min(n);
        let batch = images.batch(start..end)?;
        let x = prep.to_tensor(&batch, device)?;
        let f = encoder.features(&x)?;
        data.extend(f.to_device(&Device::Cpu)?.flatten_all()?.to_vec1::<f32>()?);
        bar.inc((end - start) as u64);
    }
    bar.finish_and_clear();
    Features::new(data, n, dim)
}
