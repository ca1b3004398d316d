//! Feature statistics, Mahalanobis distance and whitened cosine similarity, and the paper's
//! synthetic, real-world (multi-view) and extrinsic invariance measurements.

// Matrix code reads best with explicit (i, j) indices.
#![allow(clippy::needless_range_loop)]

pub mod accumulate;
pub mod cache;
pub mod error;
pub mod metrics;
pub mod multiview;
mod shrinkage;
pub mod stats;
pub mod sweep_scores;

pub use accumulate::StatsAccumulator;
pub use cache::{StatsCache, hash_file, stats_key};
pub use error::{InvarianceError, Result};
pub use multiview::{GroupScore, MultiviewResult, MultiviewScores, score_groups};
pub use stats::{FeatureStats, StatsSummary};
pub use sweep_scores::{SweepAccumulator, SweepScores, score_sweep};
