//! A row-major N x D feature matrix, what extraction returns and the cache stores.

use crate::error::{EncoderError, Result};
use crate::fuse_mode::FuseMode;
use candle_core::{Device, Tensor};

/// A row-major N x D feature matrix of f32.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Features {
    /// N * D values, row after row.
    pub data: Vec<f32>,
    /// Rows (images).
    pub n: usize,
    /// Columns (feature dimension).
    pub dim: usize,
}

impl Features {
    /// Wraps `data` as an `n` x `dim` matrix, checking its length.
    pub fn new(data: Vec<f32>, n: usize, dim: usize) -> Result<Self> {
        if data.len() != n * dim {
            return Err(EncoderError::FeatureShape {
                what: "features".into(),
                len: data.len(),
                n,
                dim,
            });
        }
        Ok(Self { data, n, dim })
    }

    /// The features of a 2-d tensor (copied to the CPU).
    pub fn from_tensor(t: &Tensor) -> Result<Self> {
        let (n, dim) = t.dims2()?;
        let data = t.to_device(&Device::Cpu)?.flatten_all()?.to_vec1::<f32>()?;
        Ok(Self { data, n, dim })
    }

    /// An N x D tensor on `device`.
    pub fn to_tensor(&self, device: &Device) -> Result<Tensor> {
        Ok(Tensor::from_slice(&self.data, (self.n, self.dim), device)?)
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// Several members' features of the same images combined by `mode` (as a fused encoder
    /// would give them).
    pub fn fuse(parts: &[Features], mode: FuseMode) -> Result<Features> {
        let n = parts.first().map_or(0, |p| p.n);
        if let Some(p) = parts.iter().find(|p| p.n != n) {
            return Err(EncoderError::FeatureShape {
                what: "fused member".into(),
                len: p.data.len(),
                n,
                dim: p.dim,
            });
        }
        let slices: Vec<(&[f32], usize)> =
            parts.iter().map(|p| (p.data.as_slice(), p.dim)).collect();
        let (data, dim) = mode.combine_rows(&slices, n)?;
        Ok(Features { data, n, dim })
    }
}
