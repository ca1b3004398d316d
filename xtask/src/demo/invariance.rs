//! Stage 2: synthetic and multi-view invariance of each pretrained model.

use super::encode::encode;
use super::plan::{Plan, TRANSFORMS};
use super::pretrain::Model;
use crate::report::write_atomic;
use crate::study::{MultiviewEntry, SyntheticEntry};
use anyhow::Context;
use image::RgbImage;
use indicatif::{ProgressBar, ProgressStyle};
use sslinv_augment::{Preprocess, Sweep};
use sslinv_datasets::synth3d::{GroupKind, Synth3d};
use sslinv_invariance::FeatureStats;
use sslinv_invariance::features::FnFeatures;
use sslinv_invariance::multiview::score_groups;
use sslinv_invariance::synthetic::{SyntheticOptions, run_with};
use std::path::Path;

/// Forward-pass batch for measurements.
const BATCH: usize = 128;

/// Resize (shorter side, PIL bilinear) and centre-crop to the encoders' input size, normalised.
pub fn native_prep(size: u32) -> Preprocess {
    Preprocess::new(Some(size), Some(size))
}

/// Whitening statistics of a model over the stats images.
pub fn model_stats(
    model: &Model,
    images: &[RgbImage],
    prep: &Preprocess,
) -> anyhow::Result<FeatureStats> {
    let d = sslinv_encoders::Encoder::dim(&model.backbone);
    let rows = encode(&model.backbone, images, prep, BATCH)?;
    FeatureStats::from_features(&rows, images.len(), d)
        .with_context(|| format!("feature statistics of `{}`", model.name))
}

/// Synthetic invariance of one model to the demo's transforms; one JSON per transform.
pub fn synthetic(
    plan: &Plan,
    model: &Model,
    stats: &FeatureStats,
    images: &[RgbImage],
    results: &Path,
) -> anyhow::Result<Vec<SyntheticEntry>> {
    let prep = native_prep(plan.input_size);
    let d = sslinv_encoders::Encoder::dim(&model.backbone);
    let bar = ProgressBar::new(TRANSFORMS.len() as u64).with_style(ProgressStyle::with_template(
        "  {msg:28} {bar:30} {pos}/{len} transforms [{elapsed} < {eta}]",
    )?);
    bar.set_message(format!("invariance of `{}`", model.name));
    let mut entries = Vec::new();
    for (transform, family) in TRANSFORMS {
        let sweep = Sweep::paper(transform, Some(plan.k));
        let raw = prep.clone();
        let mut features = FnFeatures::new(d, |imgs: &[RgbImage]| {
            encode(&model.backbone, imgs, &raw, BATCH).map_err(|e| {
                sslinv_invariance::InvarianceError::Upstream {
                    context: "encoder".into(),
                    message: format!("{e:#}"),
                }
            })
        });
        let opts = SyntheticOptions {
            prep: prep.clone(),
            batch: None,
            equivariance_rows: 0,
            seed: plan.seed,
        };
        let result = run_with(&mut features, images, &sweep, stats, &opts, &model.name)
            .with_context(|| format!("{} invariance of `{}`", transform.name(), model.name))?;
        write_atomic(
            &results.join(format!(
                "synthetic_{}_{}.json",
                model.name,
                transform.name()
            )),
            serde_json::to_string_pretty(&result)?.as_bytes(),
        )?;
        entries.push(SyntheticEntry {
            model: model.name.clone(),
            transform: transform.name().to_string(),
            family: family.to_string(),
            params: result
                .params
                .iter()
                .map(|p| p.first().copied().unwrap_or(0.0))
                .collect(),
            similarity: result.similarity.clone(),
            mean_similarity: result.mean_similarity,
            mean_distance: result.mean_distance,
        });
        bar.inc(1);
    }
    bar.finish();
    Ok(entries)
}

/// Multi-view invariance over synth3d's viewpoint, illumination and temperature groups.
pub fn multiview(
    plan: &Plan,
    model: &Model,
    stats: &FeatureStats,
    data: &Synth3d,
    results: &Path,
) -> anyhow::Result<Vec<MultiviewEntry>> {
    let prep = native_prep(plan.input_size);
    let mut entries = Vec::new();
    for (kind, name) in [
        (GroupKind::Viewpoint, "viewpoint"),
        (GroupKind::Illumination, "illumination"),
        (GroupKind::Temperature, "temperature"),
    ] {
        let groups = data.groups(kind);
        let images: Vec<RgbImage> = groups.iter().flatten().cloned().collect();
        let rows = encode(&model.backbone, &images, &prep, BATCH)?;
        let mut index = Vec::with_capacity(groups.len());
        let mut next = 0;
        for g in groups {
            index.push((next..next + g.len()).collect::<Vec<usize>>());
            next += g.len();
        }
        let scores = score_groups(stats, &rows, &index)
            .with_context(|| format!("{name} invariance of `{}`", model.name))?;
        write_atomic(
            &results.join(format!("multiview_{}_{name}.json", model.name)),
            serde_json::to_string_pretty(&scores)?.as_bytes(),
        )?;
        entries.push(MultiviewEntry {
            model: model.name.clone(),
            kind: name.to_string(),
            similarity: scores.similarity,
            distance: scores.distance,
        });
    }
    Ok(entries)
}
