//! Errors of the fusion crate.

/// Everything that can go wrong when ranking fusions or choosing one.
#[derive(Debug, thiserror::Error)]
pub enum FusionError {
    /// Fewer members or measures than the operation needs.
    #[error("{0}")]
    TooFew(String),
    /// Inputs whose lengths disagree (profiles, scores, names).
    #[error("mismatched inputs: {0}")]
    Mismatch(String),
    /// A NaN or infinite value where a number was needed.
    #[error("non-finite value in {0}")]
    NonFinite(String),
    /// A model spec or model card that could not be read.
    #[error(transparent)]
    Encoder(#[from] sslinv_encoders::EncoderError),
}

/// Result with [`FusionError`].
pub type Result<T> = std::result::Result<T, FusionError>;
