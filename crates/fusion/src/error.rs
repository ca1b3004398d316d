//! Errors of the fusion crate.

/// Everything that can go wrong when fusing encoders or ranking fusions.
#[derive(Debug, thiserror::Error)]
pub enum FusionError {
    /// A fusion mode name that is not `cat`, `add` or `mean`.
    #[error("unknown fusion mode `{0}` (expected cat, add or mean)")]
    UnknownMode(String),
    /// `add` and `mean` need every member to have the same feature dimension.
    #[error("fusion `{mode}` needs equal feature dimensions, got {dims:?}")]
    DimensionMismatch {
        /// The mode asked for.
        mode: &'static str,
        /// The members' dimensions.
        dims: Vec<usize>,
    },
    /// Fewer members than the operation needs.
    #[error("{0}")]
    TooFew(String),
    /// Inputs whose lengths disagree (profiles, scores, names).
    #[error("mismatched inputs: {0}")]
    Mismatch(String),
    /// A NaN or infinite value where a number was needed.
    #[error("non-finite value in {0}")]
    NonFinite(String),
    /// An error from candle while combining feature tensors.
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
    /// A member encoder that could not be loaded or run.
    #[error(transparent)]
    Encoder(#[from] sslinv_encoders::EncoderError),
    /// A feature cache file that could not be read or written.
    #[error("feature cache {path}: {reason}")]
    Cache {
        /// The cache file.
        path: std::path::PathBuf,
        /// What went wrong.
        reason: String,
    },
}

/// Result with [`FusionError`].
pub type Result<T> = std::result::Result<T, FusionError>;
