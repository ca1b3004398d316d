//! Errors raised by the kernels.

/// Everything that can go wrong in a kernel call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An error from candle (shape mismatch inside an op, device error, ...).
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
    /// The arguments do not fit together (wrong rank, channel counts, window larger than input).
    #[error("{op}: {msg}")]
    Shape {
        /// The kernel that rejected its arguments.
        op: &'static str,
        /// What was wrong.
        msg: String,
    },
}

/// Result with the kernels' [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl From<Error> for candle_core::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Candle(e) => e,
            other => candle_core::Error::Msg(other.to_string()),
        }
    }
}

/// Builds a [`Error::Shape`].
pub(crate) fn shape_err(op: &'static str, msg: impl Into<String>) -> Error {
    Error::Shape {
        op,
        msg: msg.into(),
    }
}
