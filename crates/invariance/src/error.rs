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
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file that exists but does not hold what it should (a corrupt statistics cache).
    #[error("{path}: {reason}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A safetensors file that could not be parsed or written.
    #[error("{path}: {source}")]
    Safetensors {
        /// The file.
        path: PathBuf,
        /// The library's error.
        source: safetensors::SafeTensorError,
    },
    /// A user-supplied argument is invalid.
    #[error("invalid argument: {0}")]
    Invalid(String),
    /// A tensor operation failed.
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
    /// The encoder failed (loading, preprocessing, forward pass).
    #[error("{context}: {source}")]
    Encoder {
        /// What was being done.
        context: String,
        /// The encoder's error (boxed: it is large and rare).
        source: Box<sslinv_encoders::EncoderError>,
    },
    /// An augmentation or preprocessing op failed.
    #[error("{context}: {source}")]
    Augment {
        /// What was being done.
        context: String,
        /// The op's error.
        source: sslinv_augment::AugmentError,
    },
    /// A probe (kernel ridge, ...) failed.
    #[error("{context}: {source}")]
    Heads {
        /// What was being done.
        context: String,
        /// The probe's error.
        source: sslinv_heads::HeadsError,
    },
    /// A caller's callback (an image loader, a feature function) failed; its error is the cause.
    #[error("{context}: {source}")]
    Callback {
        /// What was being done.
        context: String,
        /// The callback's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A sibling crate failed, rendered as text (kept for callers that still build it; prefer
    /// the variants above, which keep the cause).
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
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// A caller's error, kept as the cause, with what was being done.
    pub fn callback(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self::Callback {
            context: context.into(),
            source: source.into(),
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
