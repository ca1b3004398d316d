//! Fusing encoders (concatenation, sum, mean) into one `Encoder`, the probe grid shift for fused
//! dimensionality, a feature cache, the paper's probe metric per dataset, and choosing a fusion
//! from invariance profiles.

pub mod cache;
pub mod encoder;
pub mod error;
pub mod grid;
pub mod mode;
pub mod rank;
pub mod recommend;
pub mod records;
pub mod task;

pub use cache::{CacheKey, FeatureCache, Features};
pub use encoder::{FusedEncoder, grid_shift_for, load_fused, spec_width, split_spec};
pub use error::{FusionError, Result};
pub use grid::grid_shift;
pub use mode::FuseMode;
pub use rank::{average_ranks, pearson, spearman};
pub use recommend::{Candidate, Recommendation, ScoredSubset, recommend};
pub use records::{ProfileRecord, ScoreRecord, recommend_from_records};
pub use task::probe_task;
