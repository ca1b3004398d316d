//! The probe grid shift for fused dimensionality, the paper's probe metric per dataset, and
//! choosing a fusion from invariance profiles. Fusing encoders itself ([`FuseMode`],
//! [`FusedEncoder`], `a+b` specs) lives in `sslinv-encoders` and is re-exported here.
#![warn(missing_docs)]

pub mod error;
pub mod grid;
pub mod rank;
pub mod recommend;
pub mod records;
pub mod task;

pub use error::{FusionError, Result};
pub use grid::{grid_shift, grid_shift_for};
pub use rank::{average_ranks, pearson, spearman};
pub use recommend::{Candidate, Recommendation, ScoredSubset, recommend};
pub use records::{ProfileRecord, ScoreRecord, recommend_from_records};
pub use sslinv_encoders::{FuseMode, FusedEncoder};
pub use task::probe_task;
