//! Feature statistics, Mahalanobis distance and whitened cosine similarity, and the paper's
//! synthetic, real-world (multi-view) and extrinsic invariance measurements.
#![warn(missing_docs)]
// Matrix code reads best with explicit (i, j) indices.
#![allow(clippy::needless_range_loop)]

pub mod accumulate;
pub mod bootstrap;
pub mod cache;
pub mod encoder;
pub mod equivariance;
pub mod error;
pub mod extrinsic;
pub mod features;
pub mod metrics;
pub mod multiview;
pub mod select;
mod shrinkage;
pub mod stats;
pub mod sweep_scores;
pub mod synthetic;
pub mod view_files;
pub mod views;

pub use accumulate::StatsAccumulator;
pub use bootstrap::{PerImageScores, mean_interval, per_image_scores, sweep_interval};
pub use cache::{StatsCache, hash_file, stats_key};
pub use encoder::EncoderFeatures;
pub use equivariance::{Equivariance, ridge_equivariance};
pub use error::{InvarianceError, Result};
pub use extrinsic::{ExtrinsicResult, LatentScore};
pub use features::{FeatureFn, FnFeatures, batched_features};
pub use multiview::{GroupScore, MultiviewResult, MultiviewScores, score_group, score_groups};
pub use select::{draw_images, draw_images_for, draw_images_with_replacement};
pub use stats::{FeatureStats, StatsSummary};
pub use sweep_scores::{SweepAccumulator, SweepScores, score_sweep};
pub use synthetic::{SyntheticOptions, SyntheticResult};
pub use view_files::{view_file_name, write_sweep_views};
pub use views::{clean_view, sweep_view};
