//! How fused encoders combine their features.

use crate::error::{FusionError, Result};
use candle_core::Tensor;

/// How the features of several encoders become one vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
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
    type Err = FusionError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "cat" | "concat" => Ok(Self::Cat),
            "add" | "sum" => Ok(Self::Add),
            "mean" | "avg" => Ok(Self::Mean),
            other => Err(FusionError::UnknownMode(other.to_string())),
        }
    }
}

impl FuseMode {
    /// The mode's name as the CLI spells it.
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
            return Err(FusionError::TooFew(
                "fusion needs at least one encoder".into(),
            ));
        }
        match self {
            Self::Cat => Ok(dims.iter().sum()),
            Self::Add | Self::Mean => {
                if dims.iter().any(|&d| d != dims[0]) {
                    return Err(FusionError::DimensionMismatch {
                        mode: self.name(),
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
    fn add_rejects_unequal_dimensions() {
        let a = Tensor::zeros((2, 3), candle_core::DType::F32, &Device::Cpu).unwrap();
        let b = Tensor::zeros((2, 4), candle_core::DType::F32, &Device::Cpu).unwrap();
        let err = FuseMode::Add.combine(&[a, b]).unwrap_err();
        assert!(err.to_string().contains("[3, 4]"), "{err}");
    }

    #[test]
    fn parses_cli_names() {
        assert_eq!("cat".parse::<FuseMode>().unwrap(), FuseMode::Cat);
        assert_eq!("mean".parse::<FuseMode>().unwrap(), FuseMode::Mean);
        assert!("max".parse::<FuseMode>().is_err());
    }
}
