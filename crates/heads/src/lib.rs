//! The paper's frozen-feature probes: multinomial logistic regression, ridge, RBF kernel ridge,
//! seeded k-fold cross-validation over a regularisation grid, and metrics.
//!
//! Matrices are plain row-major `&[f32]` slices with an explicit column count.
#![warn(missing_docs)]

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
mod amx;
mod bf16_tiles;
pub mod bootstrap;
mod data;
mod decompositions;
pub mod error;
mod feature_file;
mod fewshot;
pub mod folds;
pub mod grid;
pub mod kernel_ridge;
mod knn;
pub mod labels;
pub mod lbfgs;
pub mod logistic;
pub mod metrics;
mod neighbours;
pub mod probe;
mod probe_regression;
mod protocol;
mod rank_correlation;
mod rankme;
pub mod ridge;
pub mod scaler;
mod screened;
mod simd_state;

pub use bootstrap::{BootstrapConfig, Interval, Predictions, bootstrap, score_interval};
pub use decompositions::sequential_decompositions;
pub use error::{HeadsError, Result};
pub use feature_file::FeatureFile;
pub use fewshot::{
    Episode, FewShotConfig, FewShotResult, episode_accuracy, fewshot, sample_episodes,
    score_episodes,
};
pub use grid::{logspace, paper_grid};
pub use kernel_ridge::{
    KernelRidgeResult, kernel_ridge_cv, kernel_ridge_cv_each, kernel_ridge_predict,
};
pub use knn::{
    DEFAULT_K, DEFAULT_TEMPERATURE, DINO_KS, KnnConfig, KnnResult, KnnScore, knn_classify,
    knn_predict,
};
pub use labels::Labels;
pub use metrics::Metric;
pub use neighbours::{Neighbours, cosine_top_k};
pub use probe::{ProbeConfig, ProbeResult, Task, probe, probe_with_validation};
pub use protocol::{Protocol, ProtocolResult, evaluate};
pub use rank_correlation::{average_ranks, spearman};
pub use rankme::{RANKME_EPSILON, RankMe, rankme, rankme_of_singular_values, singular_values};
pub use ridge::{RidgePath, ridge_r2};
pub use simd_state::clear_upper_simd_state;
