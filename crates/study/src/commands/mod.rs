//! One model, one job, no plan: what the single-purpose commands (`cargo xtask downstream`,
//! `invariance synthetic|multiview|extrinsic`, `fusion recommend`) run, as library calls with their own options.

mod downstream;
mod extrinsic;
mod multiview;
mod recommend;
mod stats_cache;
mod synthetic;

pub use downstream::{DownstreamJob, DownstreamOutcome, run_downstream};
pub use extrinsic::{ExtrinsicJob, run_extrinsic};
pub use multiview::{MultiviewJob, run_multiview};
pub use recommend::{FusionReport, TaskResult, recommend_fusions};
pub use stats_cache::{StatsRequest, cached_stats, default_stats_dir, list_images, load_images};
pub use synthetic::{SyntheticJob, run_synthetic};

use std::path::PathBuf;

use candle_core::Device;
use sslinv_encoders::Encoder;

use crate::error::{Result, StudyError};

/// synth3d's quick or demo set under `root` (rendered on first use, then read back).
fn load_synth3d(root: &std::path::Path, quick: bool) -> Result<sslinv_datasets::synth3d::Synth3d> {
    use sslinv_datasets::synth3d::{Synth3d, Synth3dConfig};
    let cfg = if quick {
        Synth3dConfig::quick()
    } else {
        Synth3dConfig::demo()
    };
    Synth3d::load_or_generate(&cfg, root).map_err(StudyError::context(format!(
        "synth3d under {}",
        root.display()
    )))
}

/// The model a command measures: its spec, where it runs, its statistics cache.
#[derive(Debug, Clone)]
pub struct ModelJob {
    /// Model spec text (readout applied).
    pub spec: String,
    /// Where it runs.
    pub device: Device,
    /// Folder of cached feature statistics.
    pub cache: PathBuf,
    /// Images per forward pass.
    pub batch: usize,
}

impl ModelJob {
    /// The encoder, and the device it is on.
    fn load(&self) -> Result<(Box<dyn Encoder>, Device)> {
        let enc = sslinv_encoders::load_encoder(&self.spec, &self.device).map_err(
            StudyError::context(format!("loading model `{}`", self.spec)),
        )?;
        Ok((enc, self.device.clone()))
    }

    /// The model's eval preprocessing at the protocol's geometry.
    fn preprocess(
        &self,
        resize: Option<u32>,
        crop: Option<u32>,
    ) -> Result<sslinv_augment::Preprocess> {
        let spec = sslinv_encoders::ModelSpec::parse(&self.spec)?;
        Ok(sslinv_encoders::eval_preprocess(&spec, resize, crop)?)
    }

    /// A statistics request for this model's `encoder`.
    fn stats_request<'a>(
        &'a self,
        encoder: &'a dyn Encoder,
        device: &'a Device,
    ) -> StatsRequest<'a> {
        StatsRequest {
            cache: &self.cache,
            model: &self.spec,
            encoder,
            device,
            batch: self.batch,
        }
    }
}
