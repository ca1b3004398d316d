//! The paper's frozen-feature probes: multinomial logistic regression, ridge, RBF kernel ridge,
//! seeded k-fold cross-validation over a regularisation grid, and metrics.
//!
//! Matrices are plain row-major `&[f32]` slices with an explicit column count.
#![warn(missing_docs)]

mod data;
pub mod error;
pub mod folds;
pub mod grid;
pub mod kernel_ridge;
pub mod labels;
pub mod lbfgs;
pub mod logistic;
pub mod metrics;
pub mod probe;
pub mod ridge;
pub mod scaler;

pub use error::{HeadsError, Result};
pub use grid::{logspace, paper_grid};
pub use kernel_ridge::{KernelRidgeResult, kernel_ridge_cv, kernel_ridge_predict};
pub use labels::Labels;
pub use metrics::Metric;
pub use probe::{ProbeConfig, ProbeResult, Task, probe};
pub use ridge::{RidgePath, ridge_r2};
