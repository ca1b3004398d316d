//! Several encoders as one: features concatenated along the feature axis.

use crate::encoder::Encoder;
use crate::error::Result;
use candle_core::Tensor;

/// Concatenation of the features of several encoders (`a+b` specs).
pub struct Concat {
    parts: Vec<Box<dyn Encoder>>,
}

impl Concat {
    /// Fuses `parts` in order.
    pub fn new(parts: Vec<Box<dyn Encoder>>) -> Self {
        Self { parts }
    }
}

impl Encoder for Concat {
    fn dim(&self) -> usize {
        self.parts.iter().map(|p| p.dim()).sum()
    }

    fn features(&self, x: &Tensor) -> Result<Tensor> {
        let feats = self
            .parts
            .iter()
            .map(|p| p.features(x))
            .collect::<Result<Vec<_>>>()?;
        Ok(Tensor::cat(&feats, 1)?)
    }
}
