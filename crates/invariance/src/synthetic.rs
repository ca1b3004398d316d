//! The paper's synthetic invariance: for each image, the clean view and all k settings of a
//! sweep go through the encoder in one forward pass, are whitened in one matrix product and
//! scored against the clean view; scores are averaged over images per setting.

use std::time::Instant;

use image::RgbImage;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sslinv_augment::{Preprocess, Protocol, Sweep};

use crate::equivariance::{Equivariance, ridge_equivariance};
use crate::error::Result;
use crate::features::{FeatureFn, batched_features};
use crate::stats::{FeatureStats, StatsSummary};
use crate::sweep_scores::SweepAccumulator;
use crate::views::{clean_view, sweep_view};

/// How a synthetic sweep is run.
#[derive(Clone, Debug)]
pub struct SyntheticOptions {
    /// Final geometry and normalisation (default: the paper's resize 256 + centre crop 224).
    pub prep: Preprocess,
    /// Most images per forward pass (default: k + 1, the whole sweep of one image at once).
    pub batch: Option<usize>,
    /// Feature rows kept for the equivariance probe (0: no probe).
    pub equivariance_rows: usize,
    /// Seed of the probe's image split.
    pub seed: u64,
}

impl Default for SyntheticOptions {
    fn default() -> Self {
        Self {
            prep: Preprocess::stats256(),
            batch: None,
            equivariance_rows: 4096,
            seed: 0,
        }
    }
}

/// The `invariance synthetic` result for one transform.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SyntheticResult {
    /// Transform name.
    pub transform: String,
    /// Whose sweep: the corrected one or the paper code's.
    #[serde(default)]
    pub protocol: Protocol,
    /// The k settings, in sweep order.
    pub params: Vec<Vec<f64>>,
    /// Mean whitened cosine similarity to the clean view, per setting.
    pub similarity: Vec<f64>,
    /// Mean Mahalanobis distance to the clean view, per setting.
    pub distance: Vec<f64>,
    /// Mean over settings of `similarity`.
    pub mean_similarity: f64,
    /// Mean over settings of `distance`.
    pub mean_distance: f64,
    /// Images measured.
    pub n_images: usize,
    /// Statistics used for whitening.
    pub stats: StatsSummary,
    /// Model spec.
    pub model: String,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Ridge-probe R^2 of the transform parameter (None when too few images or no varying parameter).
    pub equivariance: Option<Equivariance>,
}

/// Runs one sweep over `images` with any feature function (images arrive at final size).
pub fn run_with(
    features: &mut dyn FeatureFn,
    images: &[RgbImage],
    sweep: &Sweep,
    stats: &FeatureStats,
    opts: &SyntheticOptions,
    model: &str,
) -> Result<SyntheticResult> {
    let start = Instant::now();
    let k = sweep.len();
    let d = stats.dim;
    crate::error::InvarianceError::check_len("encoder dimension vs statistics", d, features.dim())?;
    let name = sweep.transform().name();
    let mut acc = SweepAccumulator::new(k);
    let keep_images = if opts.equivariance_rows == 0 {
        0
    } else {
        (opts.equivariance_rows / k.max(1)).max(4)
    };
    let (mut eq_rows, mut eq_targets, mut eq_groups) = (Vec::new(), Vec::new(), Vec::new());
    for (n, img) in images.iter().enumerate() {
        let mut batch = Vec::with_capacity(k + 1);
        batch.push(clean_view(img, &opts.prep));
        let views: Vec<RgbImage> = (0..k)
            .into_par_iter()
            .map(|i| sweep_view(sweep, i, img, &opts.prep))
            .collect::<Result<_>>()?;
        batch.extend(views);
        let source = format!("{model} on image {n} ({name})");
        let rows = batched_features(features, &batch, opts.batch.unwrap_or(k + 1), &source)?;
        acc.push(stats, &rows[..d], &rows[d..])?;
        if n < keep_images {
            eq_rows.extend_from_slice(&rows[d..]);
            eq_targets.extend((0..k).map(|i| sweep.params(i).to_vec()));
            eq_groups.extend(std::iter::repeat_n(n, k));
        }
    }
    let equivariance = if keep_images > 0 {
        ridge_equivariance(&eq_rows, d, &eq_targets, &eq_groups, opts.seed)?
    } else {
        None
    };
    let scores = acc.finish();
    Ok(SyntheticResult {
        transform: name.to_string(),
        protocol: sweep.protocol(),
        params: (0..k).map(|i| sweep.params(i).to_vec()).collect(),
        similarity: scores.similarity,
        distance: scores.distance,
        mean_similarity: scores.mean_similarity,
        mean_distance: scores.mean_distance,
        n_images: scores.n_images,
        stats: stats.summary(),
        model: model.to_string(),
        seconds: start.elapsed().as_secs_f64(),
        equivariance,
    })
}

/// Feature statistics of `images` after `prep` (the paper: resize 256 + centre crop 224),
/// streamed in batches of `batch`.
pub fn stats_with(
    features: &mut dyn FeatureFn,
    images: &[RgbImage],
    prep: &Preprocess,
    batch: usize,
    model: &str,
) -> Result<FeatureStats> {
    let mut acc = crate::accumulate::StatsAccumulator::new(
        features.dim(),
        format!("{model} on the statistics images"),
    );
    for (c, chunk) in images.chunks(batch.max(1)).enumerate() {
        let prepared: Vec<RgbImage> = chunk.par_iter().map(|im| prep.image(im)).collect();
        let rows = batched_features(
            features,
            &prepared,
            batch,
            &format!("{model} on statistics batch {c}"),
        )?;
        acc.push(&rows, chunk.len())?;
    }
    acc.finish()
}

/// Runs one sweep with an encoder: all k views of an image plus its clean view in one forward
/// pass (at most `opts.batch` images per pass), on `device`.
pub fn run(
    encoder: &dyn sslinv_encoders::Encoder,
    images: &[RgbImage],
    sweep: &Sweep,
    stats: &FeatureStats,
    opts: &SyntheticOptions,
    device: &candle_core::Device,
    model: &str,
) -> Result<SyntheticResult> {
    let mut f = crate::encoder::EncoderFeatures::new(encoder, &opts.prep, device);
    run_with(&mut f, images, sweep, stats, opts, model)
}

/// Feature statistics of `images` with an encoder, after `prep` (the paper: `Preprocess::stats256()`).
pub fn stats(
    encoder: &dyn sslinv_encoders::Encoder,
    images: &[RgbImage],
    prep: &Preprocess,
    batch: usize,
    device: &candle_core::Device,
    model: &str,
) -> Result<FeatureStats> {
    let mut f = crate::encoder::EncoderFeatures::new(encoder, prep, device);
    stats_with(&mut f, images, prep, batch, model)
}
