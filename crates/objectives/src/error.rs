//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong in objectives, optimisation and pretraining.
#[derive(Debug, thiserror::Error)]
pub enum ObjectivesError {
    /// A tensor operation failed (shape mismatch, device error, ...).
    #[error("tensor error: {0}")]
    Candle(#[from] candle_core::Error),
    /// Inputs have shapes that the function cannot combine.
    #[error("shape error: {0}")]
    Shape(String),
    /// A configuration value is out of range or inconsistent.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A checkpoint file is missing, corrupt or inconsistent with the run.
    #[error("checkpoint {}: {msg}", path.display())]
    Checkpoint {
        /// The file involved.
        path: PathBuf,
        /// What is wrong with it.
        msg: String,
    },
    /// Training produced a non-finite loss.
    #[error("loss became non-finite ({value}) at step {step}")]
    NonFinite {
        /// The optimiser step.
        step: u64,
        /// The offending value.
        value: f32,
    },
    /// A JSON file (a model card) that does not hold what the trainer needs.
    #[error("{}: {source}", path.display())]
    Json {
        /// The file involved.
        path: PathBuf,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// An error from the encoders crate (model cards, backbones).
    #[error(transparent)]
    Encoders(#[from] sslinv_encoders::EncoderError),
    /// The data could not be read (an error naming the file).
    #[error(transparent)]
    Data(#[from] sslinv_datasets::DatasetError),
    /// An error from another sslinv crate (augment, encoders, datasets).
    #[error("{0}")]
    Upstream(String),
}

/// Result with [`ObjectivesError`].
pub type Result<T> = std::result::Result<T, ObjectivesError>;
