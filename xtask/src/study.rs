//! The study's aggregate results: what the demo and the pipeline write and the report reads.

use serde::{Deserialize, Serialize};

/// Everything one run of the study measured, in one JSON (`results/study.json`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Study {
    /// Title shown on the report.
    pub title: String,
    /// Dataset the study ran on.
    pub dataset: String,
    /// Whether this was the `--quick` variant.
    pub quick: bool,
    /// Wall-clock seconds for the whole run.
    pub seconds: f64,
    /// A sample grid of the dataset's images (path relative to the results folder), if any.
    #[serde(default)]
    pub sample_grid: Option<String>,
    /// The encoders studied.
    pub models: Vec<ModelInfo>,
    /// Synthetic invariance per model and transform.
    pub synthetic: Vec<SyntheticEntry>,
    /// Real-world (multi-view) invariance per model and view kind.
    pub multiview: Vec<MultiviewEntry>,
    /// Downstream probe scores per model (fused models included) and task.
    pub downstream: Vec<DownstreamEntry>,
    /// Fusion recommendations per task.
    #[serde(default)]
    pub recommendations: Vec<TaskRecommendation>,
    /// The paper's findings, checked on this run.
    pub findings: Vec<Finding>,
}

/// One encoder of the study.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModelInfo {
    /// Short name (e.g. `ventral`, or `default+ventral+dorsal` for a fusion).
    pub name: String,
    /// How it was made (policy and objective, or the fusion).
    pub description: String,
    /// Feature dimension.
    pub dim: usize,
    /// Pretraining seconds (0 for fusions).
    #[serde(default)]
    pub pretrain_seconds: f64,
    /// Loss at the end of pretraining, if pretrained here.
    #[serde(default)]
    pub final_loss: Option<f64>,
    /// Contrastive accuracy at the end of pretraining, if pretrained here.
    #[serde(default)]
    pub final_accuracy: Option<f64>,
}

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
    /// Mean over settings of the Mahalanobis distance.
    pub mean_distance: f64,
}

/// Multi-view invariance of one model to one kind of view change.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MultiviewEntry {
    /// Model name.
    pub model: String,
    /// View kind (viewpoint, illumination, temperature, ...).
    pub kind: String,
    /// Mean over groups of the mean pairwise whitened cosine.
    pub similarity: f64,
    /// Mean over groups of the mean pairwise distance.
    pub distance: f64,
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
    /// Chosen regularisation.
    pub lambda: f64,
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
}

/// One of the paper's claims, checked on this run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Finding {
    /// The claim, in words.
    pub claim: String,
    /// Whether it reproduced.
    pub holds: bool,
    /// The numbers behind the verdict.
    pub detail: String,
}
