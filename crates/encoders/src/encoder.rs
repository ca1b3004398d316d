//! The `Encoder` trait: images in, pooled features out.

use crate::error::Result;
use candle_core::Tensor;

/// Anything that maps an N x 3 x H x W normalised batch to N x D features (eval mode).
pub trait Encoder: Send + Sync {
    /// Feature dimension D.
    fn dim(&self) -> usize;
    /// Pooled features of a batch, N x D.
    fn features(&self, x: &Tensor) -> Result<Tensor>;
}

impl<E: Encoder + ?Sized> Encoder for Box<E> {
    fn dim(&self) -> usize {
        (**self).dim()
    }
    fn features(&self, x: &Tensor) -> Result<Tensor> {
        (**self).features(x)
    }
}

/// Checks that `x` is an N x 3 x H x W batch.
pub(crate) fn check_input(x: &Tensor) -> Result<()> {
    match x.dims() {
        [_, 3, h, w] if *h > 0 && *w > 0 => Ok(()),
        other => Err(crate::error::EncoderError::Input(other.to_vec())),
    }
}
