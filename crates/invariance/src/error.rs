//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong while measuring invariance.
#[derive(Debug, thiserror::Error)]
pub enum InvarianceError {
    /// A buffer's length does not match the shape it was said to have.
    #[error("{what}: expected {expected} values, got {got}")]
    Shape {
        /// Which buffer.
        what: String,
        /// Values the shape implies.
        expected: usize,
        /// Values given.
        got: usize,
    },
    /// Features contain NaN or infinity (names the model or file they came from).
    #[error("non-finite feature value in {source_name} (row {row}, column {col})")]
    NonFinite {
        /// The model or file the features came from.
        source_name: String,
        /// Row of the first bad value.
        row: usize,
        /// Column of the first bad value.
        col: usize,
    },
    /// Too few samples for the requested statistic.
    #[error("{0}")]
    TooFew(String),
    /// The covariance could not be made positive definite, even after shrinkage.
    #[error("covariance of {dim}-d features is degenerate: {reason}")]
    Degenerate {
        /// Feature dimension.
        dim: usize,
        /// What failed.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What happened.
        message: String,
    },
    /// A user-supplied argument is invalid.
    #[error("invalid argument: {0}")]
    Invalid(String),
    /// A sibling crate (encoder, augment, heads, datasets) failed.
    #[error("{context}: {message}")]
    Upstream {
        /// What was being done.
        context: String,
        /// The upstream error, rendered.
        message: String,
    },
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, InvarianceError>;

impl InvarianceError {
    /// An I/O error naming the file.
    pub fn io(path: impl Into<PathBuf>, err: impl std::fmt::Display) -> Self {
        Self::Io {
            path: path.into(),
            message: err.to_string(),
        }
    }

    /// Checks that a buffer has `expected` values.
    pub fn check_len(what: &str, expected: usize, got: usize) -> Result<()> {
        if expected == got {
            Ok(())
        } else {
            Err(Self::Shape {
                what: what.to_string(),
                expected,
                got,
            })
        }
    }
}
