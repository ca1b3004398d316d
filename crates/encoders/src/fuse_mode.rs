//! How a fusion of encoders combines their features: concatenation, sum or mean.

use crate::error::{EncoderError, Result};
use candle_core::Tensor;

/// How the features of several encoders become one vector.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum FuseMode {
    /// Concatenation (the paper's fusion): dimension is the sum of the members'.
    #[default]
    Cat,
    /// Element-wise sum: members must share a dimension.
    Add,
    /// Element-wise mean: members must share a dimension.
    Mean,
}

impl std::str::FromStr for FuseMode {
    type Err = EncoderError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cat" | "concat" => Ok(Self::Cat),
            "add" | "sum" => Ok(Self::Add),
            "mean" | "avg" => Ok(Self::Mean),
            _ => Err(EncoderError::UnknownFuseMode(s.to_string())),
        }
    }
}

impl std::fmt::Display for FuseMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FuseMode {
    /// Every mode, in the order the CLI lists them.
    pub const ALL: [FuseMode; 3] = [Self::Cat, Self::Add, Self::Mean];

    /// The mode's name as the CLI spells it (`cat`, `add`, `mean`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Cat => "cat",
            Self::Add => "add",
            Self::Mean => "mean",
        }
    }

    /// Dimension of the fused features for members of the given dimensions.
    pub fn fused_dim(self, dims: &[usize]) -> Result<usize> {
        if dims.is_empty() {
            return Err(EncoderError::EmptyFusion);
        }
        match self {
            Self::Cat => Ok(dims.iter().sum()),
            Self::Add | Self::Mean => {
                if dims.iter().any(|&d| d != dims[0]) {
                    return Err(EncoderError::FuseDims {
                        mode: self,
                        dims: dims.to_vec(),
                    });
                }
                Ok(dims[0])
            }
        }
    }

    /// Combines per-member feature matrices (each N x D_i) into one N x D matrix.
    pub fn combine(self, parts: &[Tensor]) -> Result<Tensor> {
        let dims: Vec<usize> = parts
            .iter()
            .map(|t| t.dims().last().copied().unwrap_or(0))
            .collect();
        self.fused_dim(&dims)?;
        if parts.len() == 1 {
            return Ok(parts[0].clone());
        }
        match self {
            Self::Cat => Ok(Tensor::cat(parts, 1)?),
            Self::Add | Self::Mean => {
                let mut sum = parts[0].clone();
                for part in &parts[1..] {
                    sum = (sum + part)?;
                }
                if self == Self::Mean {
                    sum = (sum / parts.len() as f64)?;
                }
                Ok(sum)
            }
        }
    }

    /// Combines per-member row-major matrices (`n` rows each, D_i columns) into one row-major
    /// N x D matrix and returns it with D; the same arithmetic as [`FuseMode::combine`].
    pub fn combine_rows(self, parts: &[(&[f32], usize)], n: usize) -> Result<(Vec<f32>, usize)> {
        let dims: Vec<usize> = parts.iter().map(|p| p.1).collect();
        let dim = self.fused_dim(&dims)?;
        for (data, d) in parts {
            if data.len() != n * d {
                return Err(EncoderError::FeatureShape {
                    what: "fused member".into(),
                    len: data.len(),
                    n,
                    dim: *d,
                });
            }
        }
        let mut out = Vec::with_capacity(n * dim);
        match self {
            Self::Cat => {
                for r in 0..n {
                    for (data, d) in parts {
                        out.extend_from_slice(&data[r * d..(r + 1) * d]);
                    }
                }
            }
            Self::Add | Self::Mean => {
                out.extend_from_slice(parts[0].0);
                for (data, _) in &parts[1..] {
                    out.iter_mut().zip(data.iter()).for_each(|(o, v)| *o += v);
                }
                if self == Self::Mean && parts.len() > 1 {
                    let k = parts.len() as f32;
                    out.iter_mut().for_each(|o| *o /= k);
                }
            }
        }
        Ok((out, dim))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn cat_add_mean_combine_as_named() -> Result<()> {
        let a = Tensor::new(&[[1f32, 2.], [3., 4.]], &Device::Cpu)?;
        let b = Tensor::new(&[[10f32, 20.], [30., 40.]], &Device::Cpu)?;
        let parts = [a, b];
        let cat = FuseMode::Cat.combine(&parts)?.to_vec2::<f32>()?;
        assert_eq!(cat, vec![vec![1., 2., 10., 20.], vec![3., 4., 30., 40.]]);
        let add = FuseMode::Add.combine(&parts)?.to_vec2::<f32>()?;
        assert_eq!(add, vec![vec![11., 22.], vec![33., 44.]]);
        let mean = FuseMode::Mean.combine(&parts)?.to_vec2::<f32>()?;
        assert_eq!(mean, vec![vec![5.5, 11.], vec![16.5, 22.]]);
        Ok(())
    }

    #[test]
    fn rows_combine_like_tensors() -> Result<()> {
        let a = [1f32, 2., 3., 4.];
        let b = [10f32, 20., 30., 40.];
        for mode in FuseMode::ALL {
            let t = mode.combine(&[
                Tensor::from_slice(&a, (2, 2), &Device::Cpu)?,
                Tensor::from_slice(&b, (2, 2), &Device::Cpu)?,
            ])?;
            let (rows, dim) = mode.combine_rows(&[(&a, 2), (&b, 2)], 2)?;
            assert_eq!(dim, t.dim(1)?);
            assert_eq!(rows, t.flatten_all()?.to_vec1::<f32>()?, "{mode}");
        }
        Ok(())
    }

    #[test]
    fn add_rejects_unequal_dimensions() {
        let a = Tensor::zeros((2, 3), candle_core::DType::F32, &Device::Cpu).unwrap();
        let b = Tensor::zeros((2, 4), candle_core::DType::F32, &Device::Cpu).unwrap();
        let err = FuseMode::Add.combine(&[a, b]).unwrap_err();
        assert!(err.to_string().contains("[3, 4]"), "{err}");
        assert!(FuseMode::Cat.fused_dim(&[]).is_err());
    }

    #[test]
    fn parses_cli_names() {
        for mode in FuseMode::ALL {
            assert_eq!(mode.name().parse::<FuseMode>().unwrap(), mode);
        }
        assert_eq!("concat".parse::<FuseMode>().unwrap(), FuseMode::Cat);
        let err = "max".parse::<FuseMode>().unwrap_err().to_string();
        assert!(
            err.contains("max") && err.contains("cat, add or mean"),
            "{err}"
        );
    }
}
