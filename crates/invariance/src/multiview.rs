//! Real-world (multi-view) invariance of given features: per group of views, the mean whitened
//! cosine over all k x k pairs (diagonal included) and the mean pairwise L2, then means over groups.

use serde::{Deserialize, Serialize};

use crate::error::{InvarianceError, Result};
use crate::metrics::{group_distance, group_similarity};
use crate::stats::{FeatureStats, StatsSummary};

/// Scores of one group of views.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct GroupScore {
    /// Index of the group in the dataset's group list.
    pub group: usize,
    /// Number of views.
    pub n_views: usize,
    /// Mean whitened cosine over all k x k pairs.
    pub similarity: f64,
    /// Mean L2 distance over distinct pairs of whitened views.
    pub distance: f64,
}

/// Multi-view scores of a set of groups.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MultiviewScores {
    /// Mean of the group similarities.
    pub similarity: f64,
    /// Mean of the group distances.
    pub distance: f64,
    /// Number of groups.
    pub n_groups: usize,
    /// Per-group values.
    pub groups: Vec<GroupScore>,
}

/// The `invariance multiview` result file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MultiviewResult {
    /// Dataset (and group kind) measured.
    pub dataset: String,
    /// Model spec.
    pub model: String,
    /// The scores.
    #[serde(flatten)]
    pub scores: MultiviewScores,
    /// Statistics used for whitening.
    pub stats: StatsSummary,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl std::fmt::Display for MultiviewResult {
    /// One line: the dataset's mean similarity and distance over its groups.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.scores;
        let (sim, dist, n) = (s.similarity, s.distance, s.n_groups);
        write!(
            f,
            "{}: similarity {sim:.4}, distance {dist:.3} over {n} groups",
            self.dataset
        )
    }
}

/// Scores groups of rows of `features` (row-major, `stats.dim` columns); each group lists row
/// indices and needs at least two views.
pub fn score_groups(
    stats: &FeatureStats,
    features: &[f32],
    groups: &[Vec<usize>],
) -> Result<MultiviewScores> {
    let d = stats.dim;
    if d == 0 || !features.len().is_multiple_of(d) {
        return Err(InvarianceError::Shape {
            what: "multiview features".into(),
            expected: d,
            got: features.len(),
        });
    }
    let n = features.len() / d;
    let z = stats.whiten(features, n)?;
    let mut out = Vec::with_capacity(groups.len());
    for (g, rows) in groups.iter().enumerate() {
        if rows.len() < 2 {
            return Err(InvarianceError::Invalid(format!(
                "group {g} has {} view(s); at least 2 needed",
                rows.len()
            )));
        }
        let mut zg = Vec::with_capacity(rows.len() * d);
        for &r in rows {
            if r >= n {
                return Err(InvarianceError::Invalid(format!(
                    "group {g} names row {r} of {n}"
                )));
            }
            zg.extend_from_slice(&z[r * d..(r + 1) * d]);
        }
        out.push(GroupScore {
            group: g,
            n_views: rows.len(),
            similarity: group_similarity(&zg, d),
            distance: group_distance(&zg, d),
        });
    }
    let avg = |f: fn(&GroupScore) -> f64| out.iter().map(f).sum::<f64>() / out.len().max(1) as f64;
    Ok(MultiviewScores {
        similarity: avg(|g| g.similarity),
        distance: avg(|g| g.distance),
        n_groups: out.len(),
        groups: out,
    })
}

/// Scores one group of views from its feature rows (k x D, row-major), whitened in one product.
pub fn score_group(stats: &FeatureStats, features: &[f32], group: usize) -> Result<GroupScore> {
    let d = stats.dim;
    let k = features.len() / d.max(1);
    let all: Vec<usize> = (0..k).collect();
    let mut s = score_groups(stats, features, &[all])?;
    let mut g = s.groups.pop().expect("one group");
    g.group = group;
    Ok(g)
}

/// Runs the multi-view measurement with any feature function: `load(g)` gives group g's views,
/// which `prep` resizes and crops (the paper: resize 224, centre crop 224) before the encoder.
#[allow(clippy::too_many_arguments)]
pub fn run_with(
    features: &mut dyn crate::features::FeatureFn,
    n_groups: usize,
    mut load: impl FnMut(usize) -> Result<Vec<image::RgbImage>>,
    stats: &FeatureStats,
    prep: &sslinv_augment::Preprocess,
    batch: usize,
    dataset: &str,
    model: &str,
) -> Result<MultiviewResult> {
    use rayon::prelude::*;
    let start = std::time::Instant::now();
    InvarianceError::check_len("encoder dimension vs statistics", stats.dim, features.dim())?;
    let mut groups = Vec::with_capacity(n_groups);
    for g in 0..n_groups {
        let views: Vec<image::RgbImage> = load(g)?.par_iter().map(|im| prep.image(im)).collect();
        let source = format!("{model} on {dataset} group {g}");
        let rows = crate::features::batched_features(features, &views, batch, &source)?;
        groups.push(score_group(stats, &rows, g)?);
    }
    let avg =
        |f: fn(&GroupScore) -> f64| groups.iter().map(f).sum::<f64>() / groups.len().max(1) as f64;
    Ok(MultiviewResult {
        dataset: dataset.to_string(),
        model: model.to_string(),
        scores: MultiviewScores {
            similarity: avg(|g| g.similarity),
            distance: avg(|g| g.distance),
            n_groups: groups.len(),
            groups,
        },
        stats: stats.summary(),
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Multi-view invariance of in-memory groups (e.g. synth3d's viewpoint / illumination /
/// temperature groups) with an encoder on `device`.
#[allow(clippy::too_many_arguments)]
pub fn run(
    encoder: &dyn sslinv_encoders::Encoder,
    groups: &[Vec<image::RgbImage>],
    stats: &FeatureStats,
    prep: &sslinv_augment::Preprocess,
    batch: usize,
    device: &candle_core::Device,
    dataset: &str,
    model: &str,
) -> Result<MultiviewResult> {
    let mut f = crate::encoder::EncoderFeatures::new(encoder, prep, device);
    run_with(
        &mut f,
        groups.len(),
        |g| Ok(groups[g].clone()),
        stats,
        prep,
        batch,
        dataset,
        model,
    )
}
