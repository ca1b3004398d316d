//! Errors of the encoders crate.

use crate::fuse_mode::FuseMode;
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
    /// A file or folder that could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A model card that is not valid JSON or lacks a required key.
    #[error("model card {path}: {source}")]
    CardJson {
        /// The card file.
        path: PathBuf,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// A model card this build cannot use (a newer format, an unknown architecture).
    #[error("model card {path}: {reason}")]
    Card {
        /// The card file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A Hugging Face Hub download that failed (offline, missing file, ...).
    #[error("hub repo {repo}: {reason}")]
    Hub {
        /// The repo id.
        repo: String,
        /// What went wrong.
        reason: String,
        /// The network or Hub client error behind it, when there is one.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A checkpoint file that the reader for its format cannot parse.
    #[error("checkpoint {path}: {what}: {source}")]
    CheckpointRead {
        /// The checkpoint file.
        path: PathBuf,
        /// What it was read as.
        what: String,
        /// The reader's error (boxed: candle's error is large).
        source: Box<candle_core::Error>,
    },
    /// A kernel rejected its arguments.
    #[error(transparent)]
    Kernels(#[from] sslinv_kernels::KernelError),
    /// Image preprocessing failed.
    #[error(transparent)]
    Augment(#[from] sslinv_augment::AugmentError),
    /// An input that is not an N x 3 x H x W image batch.
    #[error("expected an N x 3 x H x W batch, got shape {0:?}")]
    Input(Vec<usize>),
    /// A fusion mode name that is not `cat`, `add` or `mean`.
    #[error("unknown fusion mode `{0}` (expected cat, add or mean)")]
    UnknownFuseMode(String),
    /// `add` and `mean` need every member to have the same feature dimension.
    #[error("fusion `{mode}` needs equal feature dimensions, got {dims:?}")]
    FuseDims {
        /// The mode asked for.
        mode: FuseMode,
        /// The members' dimensions.
        dims: Vec<usize>,
    },
    /// A fusion of no encoders.
    #[error("a fusion needs at least one encoder")]
    EmptyFusion,
    /// A feature matrix whose length does not match its shape.
    #[error("{what}: {len} values for {n} x {dim} features")]
    FeatureShape {
        /// Which matrix.
        what: String,
        /// Values held.
        len: usize,
        /// Rows it should have.
        n: usize,
        /// Columns it should have.
        dim: usize,
    },
    /// An image file that could not be decoded.
    #[error("decoding {path}: {source}")]
    Decode {
        /// The image file.
        path: PathBuf,
        /// The decoder's error.
        source: image::ImageError,
    },
    /// A caller's image source failed to produce a batch.
    #[error("images {start}..{end}: {source}")]
    Images {
        /// First index of the batch.
        start: usize,
        /// One past its last index.
        end: usize,
        /// The source's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// An image source that returned a different number of images than asked.
    #[error("images {start}..{end}: the source returned {got} images")]
    SourceCount {
        /// First index of the batch.
        start: usize,
        /// One past its last index.
        end: usize,
        /// Images returned.
        got: usize,
    },
    /// A feature-cache file that exists but is not a valid features file.
    #[error("feature cache {path}: {reason}")]
    Cache {
        /// The cache file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A safetensors file that could not be parsed or written.
    #[error("safetensors {path}: {source}")]
    Safetensors {
        /// The file.
        path: PathBuf,
        /// The library's error.
        source: safetensors::SafeTensorError,
    },
}

/// Result with [`EncoderError`].
pub type Result<T> = std::result::Result<T, EncoderError>;
