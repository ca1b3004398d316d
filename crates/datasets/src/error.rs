//! Errors of the dataset loaders.

use std::path::PathBuf;

/// Everything that can go wrong while finding, parsing or decoding a dataset.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// A file or folder the layout requires is not there.
    #[error("{path}: missing ({what})")]
    Missing {
        /// The path that was looked for.
        path: PathBuf,
        /// What it should have held.
        what: String,
    },
    /// Reading a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An image file (or embedded image) could not be decoded.
    #[error("{origin}: cannot decode image: {reason}")]
    Image {
        /// The file (or `file#index`) the image came from.
        origin: String,
        /// The decoder's message.
        reason: String,
    },
    /// An annotation file has a malformed line.
    #[error("{path}:{line}: {reason}")]
    Annotation {
        /// The annotation file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong with the line.
        reason: String,
    },
    /// A binary annotation file (.mat, .npy, pickle, parquet) does not hold what the layout needs.
    #[error("{path}: {reason}")]
    Format {
        /// The file involved.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A dataset name that `open`/`open_views` does not know.
    #[error("unknown dataset `{name}` (known: {known})")]
    UnknownDataset {
        /// The name asked for.
        name: String,
        /// The names that exist, comma separated.
        known: String,
    },
    /// A split the dataset does not have.
    #[error("dataset `{dataset}` has no split `{split}` (it has: {known})")]
    UnknownSplit {
        /// The dataset.
        dataset: String,
        /// The split asked for.
        split: String,
        /// The splits that exist.
        known: String,
    },
    /// An index past the end of the dataset.
    #[error("index {index} out of range for `{dataset}` with {len} images")]
    OutOfRange {
        /// The dataset.
        dataset: String,
        /// The index asked for.
        index: usize,
        /// How many images it has.
        len: usize,
    },
    /// A feature the build does not include (e.g. reading parquet without the `parquet` feature).
    #[error("{0}")]
    Unsupported(String),
    /// A download from the Hugging Face Hub failed (offline, missing repo or file).
    #[error("hub dataset `{repo}`: {reason}")]
    Hub {
        /// The Hub repository.
        repo: String,
        /// What went wrong.
        reason: String,
    },
    /// Turning images into tensors failed (mixed sizes, device error).
    #[error(transparent)]
    Augment(#[from] sslinv_augment::AugmentError),
    /// The loader's worker threads could not be started.
    #[error("starting the data loader's threads: {0}")]
    Threads(#[source] rayon::ThreadPoolBuildError),
    /// The synth3d renderer failed.
    #[error(transparent)]
    Synth3d(#[from] crate::synth3d::Synth3dError),
}

/// Result with [`DatasetError`].
pub type Result<T> = std::result::Result<T, DatasetError>;

impl DatasetError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// A format error on `path`.
    pub fn format(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Self::Format {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// An annotation error at `path:line`.
    pub fn annotation(path: impl Into<PathBuf>, line: usize, reason: impl Into<String>) -> Self {
        Self::Annotation {
            path: path.into(),
            line,
            reason: reason.into(),
        }
    }

    /// A missing file or folder.
    pub fn missing(path: impl Into<PathBuf>, what: impl Into<String>) -> Self {
        Self::Missing {
            path: path.into(),
            what: what.into(),
        }
    }
}
