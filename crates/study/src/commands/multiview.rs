//! Real-world invariance of one model over a view-group dataset (`invariance multiview`), or
//! over synth3d's generated groups (`synth3d-viewpoint`, `-illumination`, `-temperature`).

use std::path::PathBuf;

use sslinv_datasets::synth3d::GroupKind;
use sslinv_invariance::multiview::MultiviewResult;
use sslinv_invariance::{EncoderFeatures, InvarianceError};

use super::ModelJob;
use super::stats_cache::{cached_stats, list_images};
use crate::error::{Result, StudyError};

/// A multi-view run.
pub struct MultiviewJob {
    /// The model, its device and statistics cache.
    pub model: ModelJob,
    /// View-group dataset (coil100, ..., synth3d-viewpoint).
    pub dataset: String,
    /// Dataset root (synth3d: its cache folder).
    pub root: PathBuf,
    /// Images of the statistics (default: the dataset's own views).
    pub stats_images: Option<PathBuf>,
    /// synth3d only: the quick set instead of the demo set.
    pub quick: bool,
}

/// Synth3d's groups of `kind`, with statistics at their native size.
fn synth3d_groups(job: &MultiviewJob, kind: &str) -> Result<MultiviewResult> {
    let kind = GroupKind::ALL
        .into_iter()
        .find(|k| k.name() == kind)
        .ok_or_else(|| {
            StudyError::Invalid(format!(
                "unknown synth3d group kind `{kind}` (viewpoint, illumination, temperature)"
            ))
        })?;
    let data = super::load_synth3d(&job.root, job.quick)?;
    let (encoder, dev) = job.model.load()?;
    let (batch, model) = (job.model.batch, job.model.spec.as_str());
    // synth3d images are small: statistics and views keep their native size.
    let native = job.model.preprocess(None, None)?;
    let stats = match &job.stats_images {
        Some(dir) => cached_stats(
            &job.model.stats_request(encoder.as_ref(), &dev),
            &list_images(dir)?,
            &native,
        )?,
        None => sslinv_invariance::synthetic::stats(
            encoder.as_ref(),
            &data.pretrain,
            &native,
            batch,
            &dev,
            model,
        )?,
    };
    Ok(sslinv_invariance::multiview::run(
        encoder.as_ref(),
        data.groups(kind),
        &stats,
        &native,
        batch,
        &dev,
        &job.dataset,
        model,
    )?)
}

/// The paper's multi-view invariance: statistics at 256/224, views at 224.
pub fn run_multiview(job: &MultiviewJob) -> Result<MultiviewResult> {
    if let Some(kind) = job.dataset.strip_prefix("synth3d-") {
        return synth3d_groups(job, kind);
    }
    let views =
        sslinv_datasets::open_views(&job.dataset, &job.root).map_err(StudyError::context(
            format!("opening {} under {}", job.dataset, job.root.display()),
        ))?;
    let stats_paths = match &job.stats_images {
        Some(dir) => list_images(dir)?,
        None => views
            .groups
            .iter()
            .flat_map(|g| g.paths.iter().cloned())
            .collect(),
    };
    let (encoder, dev) = job.model.load()?;
    let req = job.model.stats_request(encoder.as_ref(), &dev);
    let stats = cached_stats(
        &req,
        &stats_paths,
        &job.model.preprocess(Some(256), Some(224))?,
    )?;
    let view_prep = job.model.preprocess(Some(224), Some(224))?;
    let mut f = EncoderFeatures::new(encoder.as_ref(), &view_prep, &dev);
    Ok(sslinv_invariance::multiview::run_with(
        &mut f,
        views.len(),
        |g| {
            views
                .load_group(g)
                .map_err(|e| InvarianceError::callback(format!("loading group {g}"), e))
        },
        &stats,
        &view_prep,
        job.model.batch,
        &job.dataset,
        &job.model.spec,
    )?)
}
