//! Errors of the synth3d renderer and its cache.

use std::path::PathBuf;

/// Everything that can go wrong while generating, caching or querying synth3d data.
#[derive(Debug, thiserror::Error)]
pub enum Synth3dError {
    /// The configuration cannot be rendered (zero size, absurd counts).
    #[error("invalid synth3d config: {0}")]
    InvalidConfig(String),
    /// A latent value is out of its range or not finite.
    #[error("invalid synth3d latents: {0}")]
    InvalidLatents(String),
    /// A regression target name that `Sample::target` does not know.
    #[error("unknown synth3d target `{name}` (known: {known})")]
    UnknownTarget {
        /// The name asked for.
        name: String,
        /// The names that exist, comma separated.
        known: String,
    },
    /// A view-group kind name other than `viewpoint`, `illumination` or `temperature`.
    #[error("unknown synth3d group kind `{0}` (known: viewpoint, illumination, temperature)")]
    UnknownGroupKind(String),
    /// Reading or writing a cache file failed.
    #[error("synth3d cache {path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A cache file exists but does not hold what it should (truncated, wrong checksum, other version).
    #[error("corrupt synth3d cache {path}: {reason}")]
    CorruptCache {
        /// The file involved.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}
