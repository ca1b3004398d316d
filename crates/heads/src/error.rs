//! The crate's error type.

/// Everything that can go wrong when fitting or scoring a probe.
#[derive(Debug, thiserror::Error)]
pub enum HeadsError {
    /// Inputs whose sizes do not agree.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// A NaN or infinite value in the inputs.
    #[error("non-finite value in {what} at row {row}, column {col}")]
    NonFinite {
        /// Which input held it.
        what: &'static str,
        /// Its row.
        row: usize,
        /// Its column.
        col: usize,
    },
    /// A split (train, test or a CV fold) with no rows.
    #[error("empty split: {0}")]
    Empty(String),
    /// Classification training labels with fewer than two classes.
    #[error("classification needs at least two classes in the training labels, found {0}")]
    SingleClass(usize),
    /// A configuration that makes no sense (metric for the wrong task, zero folds, ...).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A features file that cannot be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A features file in the wrong format.
    #[error("{}: {reason}", path.display())]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A decomposition that failed numerically.
    #[error("numerical failure: {0}")]
    Numerical(String),
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, HeadsError>;
