//! `study.json`: everything one run of a study measured, one schema for every preset. The
//! report is rebuilt from it alone.

use serde::{Deserialize, Serialize};

use crate::models::Role;

/// Everything one run of the study measured.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Study {
    /// Title shown on the report.
    pub title: String,
    /// The preset it ran.
    #[serde(default)]
    pub preset: String,
    /// Dataset the invariances were measured on (`synth3d`, `imagenet`).
    pub dataset: String,
    /// A smoke test: the numbers mean nothing (the report says so at the top).
    #[serde(default)]
    pub smoke: bool,
    /// `default` or `paper-code`.
    #[serde(default)]
    pub protocol: String,
    /// Wall-clock seconds of the steps that produced these results, summed.
    pub seconds: f64,
    /// A sample grid of the dataset's images (path relative to the results folder), if any.
    #[serde(default)]
    pub sample_grid: Option<String>,
    /// The encoders studied, baselines and fusion included.
    pub models: Vec<ModelInfo>,
    /// Synthetic invariance per model and transform.
    pub synthetic: Vec<SyntheticEntry>,
    /// Real-world (multi-view) invariance per model and view kind.
    pub multiview: Vec<MultiviewEntry>,
    /// Extrinsic invariance (latent regression) per model and dataset.
    #[serde(default)]
    pub extrinsic: Vec<ExtrinsicEntry>,
    /// Downstream probe scores per model and task.
    pub downstream: Vec<DownstreamEntry>,
    /// Fusion recommendations per task.
    #[serde(default)]
    pub recommendations: Vec<TaskRecommendation>,
    /// The paper's findings, checked on this run.
    pub findings: Vec<Finding>,
    /// Seconds per step.
    #[serde(default)]
    pub timings: Vec<Timing>,
}

/// One encoder of the study.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Short name (`ventral`, `random`, or `default+ventral+dorsal` for a fusion).
    pub name: String,
    /// Pretrained here, given, a baseline, or the fusion.
    #[serde(default)]
    pub role: Role,
    /// How it was made.
    pub description: String,
    /// Feature dimension.
    pub dim: usize,
    /// Pretraining seconds (0 when not pretrained here).
    #[serde(default)]
    pub pretrain_seconds: f64,
    /// Loss at the end of pretraining, if pretrained here.
    #[serde(default)]
    pub final_loss: Option<f64>,
    /// Contrastive (or training) accuracy at the end of pretraining, if pretrained here.
    #[serde(default)]
    pub final_accuracy: Option<f64>,
}

/// A 95 % interval.
pub type Interval = Option<[f64; 2]>;

/// Synthetic invariance of one model to one transform.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SyntheticEntry {
    /// Model name.
    pub model: String,
    /// Transform name.
    pub transform: String,
    /// `spatial` or `appearance`.
    pub family: String,
    /// Sweep parameter per setting (first parameter when a setting has several).
    pub params: Vec<f64>,
    /// Mean whitened cosine similarity per setting.
    pub similarity: Vec<f64>,
    /// Mean over settings of the similarity.
    pub mean_similarity: f64,
    /// 95 % bootstrap interval of `mean_similarity` over images.
    #[serde(default)]
    pub ci95: Interval,
    /// Mean over settings of the Mahalanobis distance.
    pub mean_distance: f64,
}

/// Multi-view invariance of one model to one kind of view change.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MultiviewEntry {
    /// Model name.
    pub model: String,
    /// View kind (viewpoint, illumination, temperature, or a dataset).
    pub kind: String,
    /// Mean over groups of the mean pairwise whitened cosine.
    pub similarity: f64,
    /// 95 % bootstrap interval of `similarity` over groups.
    #[serde(default)]
    pub ci95: Interval,
    /// Mean over groups of the mean pairwise distance.
    pub distance: f64,
}

/// Extrinsic invariance of one model: how well latents are regressed from its features.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtrinsicEntry {
    /// Model name.
    pub model: String,
    /// Dataset with latents.
    pub dataset: String,
    /// Mean R^2 over latents.
    pub r2: f64,
    /// R^2 per latent.
    pub latents: Vec<(String, f64)>,
}

/// One downstream probe result.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DownstreamEntry {
    /// Model name.
    pub model: String,
    /// Task name.
    pub task: String,
    /// Metric name (accuracy, r2, ...).
    pub metric: String,
    /// Test score.
    pub score: f64,
    /// 95 % bootstrap interval of the test score over test rows.
    #[serde(default)]
    pub ci95: Interval,
    /// Chosen regularisation.
    pub lambda: f64,
    /// DINO's kNN accuracy on the same features (classification tasks).
    #[serde(default)]
    pub knn: Option<f64>,
}

/// A fusion recommendation for one task.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TaskRecommendation {
    /// Task name.
    pub task: String,
    /// Subset invariance alone would choose.
    pub predicted_best: String,
    /// Subset with the best measured validation score.
    pub measured_best: String,
    /// Spearman correlation between predicted and measured subset scores.
    pub rank_correlation: Option<f64>,
    /// Spearman correlation between the subsets' RankMe (label-free) and their measured
    /// scores: the baseline invariance has to beat.
    #[serde(default)]
    pub rankme_correlation: Option<f64>,
}

/// How a finding came out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The claim holds and the intervals do not overlap.
    Reproduced,
    /// The opposite holds and the intervals do not overlap.
    NotReproduced,
    /// The intervals overlap: this run cannot tell.
    Inconclusive,
    /// Something it needs was not measured.
    #[default]
    NotMeasured,
}

impl Verdict {
    /// The words the report prints.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Reproduced => "reproduced",
            Verdict::NotReproduced => "not reproduced",
            Verdict::Inconclusive => "inconclusive",
            Verdict::NotMeasured => "not measured",
        }
    }
}

/// One of the paper's claims, checked on this run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Finding {
    /// The claim, in words.
    pub claim: String,
    /// How it came out.
    pub verdict: Verdict,
    /// The numbers behind the verdict, with their intervals.
    pub detail: String,
}

/// How long one step took.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Timing {
    /// Step id.
    pub step: String,
    /// Wall-clock seconds.
    pub seconds: f64,
}
