//! Errors raised by the kernels.

/// Everything that can go wrong in a kernel call.
#[derive(Debug, thiserror::Error)]
pub enum KernelError {
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

/// Result with [`KernelError`].
pub type Result<T> = std::result::Result<T, KernelError>;

impl From<KernelError> for candle_core::Error {
    fn from(e: KernelError) -> Self {
        match e {
            KernelError::Candle(e) => e,
            other => candle_core::Error::wrap(other),
        }
    }
}

/// Builds a [`KernelError::Shape`].
pub(crate) fn shape_err(op: &'static str, msg: impl Into<String>) -> KernelError {
    KernelError::Shape {
        op,
        msg: msg.into(),
    }
}
