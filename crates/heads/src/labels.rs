//! Probe targets: class indices or real-valued target vectors.

use crate::data::check_label_rows;
use crate::error::{HeadsError, Result};

/// What a probe predicts.
#[derive(Debug, Clone, PartialEq)]
pub enum Labels {
    /// One class id per row (any i64 values).
    Classes(Vec<i64>),
    /// `dim` real targets per row, row-major.
    Targets {
        /// Row-major values, `rows * dim` long.
        values: Vec<f32>,
        /// Targets per row.
        dim: usize,
    },
}

impl Labels {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Labels::Classes(c) => c.len(),
            Labels::Targets { values, dim } => values.len().checked_div(*dim).unwrap_or(0),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks the shape and values against `n` feature rows.
    pub fn check(&self, n: usize, what: &'static str) -> Result<()> {
        if let Labels::Targets { values, dim } = self {
            if *dim == 0 || !values.len().is_multiple_of(*dim) {
                return Err(HeadsError::Shape(format!(
                    "{what}: {} target values is not a whole number of rows of {dim}",
                    values.len()
                )));
            }
            if let Some(p) = values.iter().position(|v| !v.is_finite()) {
                return Err(HeadsError::NonFinite {
                    what,
                    row: p / dim,
                    col: p % dim,
                });
            }
        }
        check_label_rows(what, n, self.len())
    }
}

/// Class ids mapped to `0..k` in sorted order of the training classes.
#[derive(Debug, Clone)]
pub struct ClassIndex {
    /// The sorted distinct training class ids.
    pub classes: Vec<i64>,
}

impl ClassIndex {
    /// Collects the distinct classes of the training labels; errors on fewer than two.
    pub fn fit(y: &[i64]) -> Result<Self> {
        let mut classes = y.to_vec();
        classes.sort_unstable();
        classes.dedup();
        if classes.len() < 2 {
            return Err(HeadsError::SingleClass(classes.len()));
        }
        Ok(Self { classes })
    }

    /// The index of each label, `None` for classes unseen in training.
    pub fn encode(&self, y: &[i64]) -> Vec<Option<usize>> {
        y.iter()
            .map(|c| self.classes.binary_search(c).ok())
            .collect()
    }
}
