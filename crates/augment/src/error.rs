//! The crate's error type.

/// Everything that can go wrong in an augment call.
#[derive(Debug, thiserror::Error)]
pub enum AugmentError {
    /// The op name is not one this crate knows.
    #[error("unknown op `{0}` (known: {known})", known = crate::op::OP_NAMES.join(", "))]
    UnknownOp(String),
    /// The transform name is not one of the paper's 18.
    #[error(
        "unknown transform `{0}` (known: {known})",
        known = crate::transform::Transform::all().iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")
    )]
    UnknownTransform(String),
    /// The protocol name is neither `corrected` nor `paper-code`.
    #[error("unknown protocol `{0}` (known: corrected, paper-code)")]
    UnknownProtocol(String),
    /// An op got the wrong number of parameters.
    #[error("op `{op}` takes {expected} parameter(s), got {got}")]
    ParamCount {
        /// The op name.
        op: String,
        /// What the op expects, in words.
        expected: String,
        /// How many were given.
        got: usize,
    },
    /// A parameter is out of its valid range or not finite.
    #[error("op `{op}`: {msg}")]
    InvalidParam {
        /// The op name.
        op: String,
        /// What is wrong.
        msg: String,
    },
    /// A policy string could not be parsed.
    #[error("policy `{0}`: {1}")]
    Policy(String, String),
    /// The image has a shape the op cannot work on.
    #[error("image {width}x{height}: {msg}")]
    Shape {
        /// Image width.
        width: u32,
        /// Image height.
        height: u32,
        /// What is wrong.
        msg: String,
    },
    /// An image file that could not be read.
    #[error("{path}: {source}")]
    ImageRead {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// An image file of zero bytes.
    #[error("{0}: empty file (0 bytes), not an image")]
    ImageEmpty(String),
    /// Image bytes the decoder refused (truncated, not an image, unsupported).
    #[error("{origin}: decoding: {source}")]
    ImageDecode {
        /// Where the bytes came from (a file, `file#row`).
        origin: String,
        /// The decoder's error (boxed: it is large).
        source: Box<image::ImageError>,
    },
    /// An image whose header claims more pixels than [`crate::MAX_IMAGE_PIXELS`].
    #[error(
        "{origin}: {width} x {height} pixels is above the pixel limit of {limit} (a decompression bomb?); refused before decoding",
        limit = crate::MAX_IMAGE_PIXELS
    )]
    ImageTooLarge {
        /// Where the bytes came from.
        origin: String,
        /// Width the header claims.
        width: u32,
        /// Height the header claims.
        height: u32,
    },
    /// A tensor could not be built.
    #[error("tensor: {0}")]
    Tensor(#[from] candle_core::Error),
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, AugmentError>;

/// Builds an `InvalidParam` error.
pub(crate) fn invalid(op: &str, msg: impl Into<String>) -> AugmentError {
    AugmentError::InvalidParam {
        op: op.to_string(),
        msg: msg.into(),
    }
}
