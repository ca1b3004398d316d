//! Errors of the encoders crate.

use std::path::PathBuf;

/// Everything that can go wrong building, loading or running an encoder.
#[derive(Debug, thiserror::Error)]
pub enum EncoderError {
    /// A tensor operation failed (wrong input shape, device mismatch, ...).
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
    /// A model spec or architecture name that cannot be understood.
    #[error("invalid model spec `{spec}`: {reason}")]
    Spec {
        /// The spec as given.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A checkpoint that does not fit the architecture asked for.
    #[error("checkpoint {path}: {reason}")]
    Checkpoint {
        /// The checkpoint file.
        path: PathBuf,
        /// Missing, unexpected or mis-shaped tensors, by name.
        reason: String,
    },
    /// A file that could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A Hugging Face Hub download that failed (offline, missing file, ...).
    #[error("hub repo {repo}: {reason}")]
    Hub {
        /// The repo id.
        repo: String,
        /// What went wrong.
        reason: String,
    },
    /// A kernel rejected its arguments.
    #[error(transparent)]
    Kernels(#[from] sslinv_kernels::Error),
    /// Image preprocessing failed.
    #[error(transparent)]
    Augment(#[from] sslinv_augment::AugmentError),
    /// An input that is not an N x 3 x H x W image batch.
    #[error("expected an N x 3 x H x W batch, got shape {0:?}")]
    Input(Vec<usize>),
}

/// Result with [`EncoderError`].
pub type Result<T> = std::result::Result<T, EncoderError>;
