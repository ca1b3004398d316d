//! Fusing encoders (concatenation, sum, mean), the probe grid shift for fused dimensionality,
//! and choosing a fusion from invariance profiles.

pub mod error;
pub mod grid;
pub mod mode;
pub mod rank;
pub mod recommend;

pub use error::{FusionError, Result};
pub use grid::grid_shift;
pub use mode::FuseMode;
pub use rank::{average_ranks, pearson, spearman};
pub use recommend::{Candidate, Recommendation, ScoredSubset, recommend};
