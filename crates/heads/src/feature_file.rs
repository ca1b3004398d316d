//! Saved features as `cargo xtask features` and `downstream` write them: a safetensors file
//! with `features` (N x D f32) and, for probes, `labels` (N i64 classes or N x T f32 targets).

use std::path::{Path, PathBuf};

use safetensors::{Dtype, SafeTensors};

use crate::error::{HeadsError, Result};
use crate::labels::Labels;

/// A feature matrix read from a file, with its labels when the file has them.
#[derive(Debug, Clone)]
pub struct FeatureFile {
    /// Where it was read from (named in every error about it).
    pub path: PathBuf,
    /// Row-major N x `dim` features.
    pub x: Vec<f32>,
    /// Feature dimension.
    pub dim: usize,
    /// The `labels` tensor, if present.
    pub labels: Option<Labels>,
}

fn le_f32(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn bad(path: &Path, reason: impl Into<String>) -> HeadsError {
    HeadsError::File {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

impl FeatureFile {
    /// Reads `features` and, if present, `labels` from the safetensors file at `path`.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|source| HeadsError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let st = SafeTensors::deserialize(&bytes)
            .map_err(|e| bad(path, format!("not a safetensors file ({e})")))?;
        let f = st
            .tensor("features")
            .map_err(|_| bad(path, "no `features` tensor"))?;
        let [_, dim] = f.shape() else {
            return Err(bad(
                path,
                format!("`features` must be N x D, found {:?}", f.shape()),
            ));
        };
        if f.dtype() != Dtype::F32 {
            return Err(bad(
                path,
                format!("`features` must be f32, found {:?}", f.dtype()),
            ));
        }
        let labels = match st.tensor("labels") {
            Err(_) => None,
            Ok(l) => Some(match (l.dtype(), l.shape()) {
                (Dtype::I64, [_]) => Labels::Classes(
                    l.data()
                        .chunks_exact(8)
                        .map(|b| i64::from_le_bytes(b.try_into().expect("8-byte chunk")))
                        .collect(),
                ),
                (Dtype::F32, [_]) => Labels::Targets {
                    values: le_f32(l.data()),
                    dim: 1,
                },
                (Dtype::F32, [_, t]) => Labels::Targets {
                    values: le_f32(l.data()),
                    dim: *t,
                },
                (dt, shape) => {
                    return Err(bad(
                        path,
                        format!(
                            "`labels` must be N i64 classes or N x T f32 targets, found {dt:?} {shape:?}"
                        ),
                    ));
                }
            }),
        };
        Ok(Self {
            path: path.to_path_buf(),
            x: le_f32(f.data()),
            dim: *dim,
            labels,
        })
    }

    /// The labels, or an error naming the file.
    pub fn labels(&self) -> Result<&Labels> {
        self.labels
            .as_ref()
            .ok_or_else(|| bad(&self.path, "no `labels` tensor"))
    }

    /// The class ids, or an error naming the file when it has none or regression targets.
    pub fn classes(&self) -> Result<&[i64]> {
        match self.labels()? {
            Labels::Classes(c) => Ok(c),
            Labels::Targets { .. } => Err(bad(&self.path, "`labels` must be N i64 class ids")),
        }
    }

    /// An error unless `other` has the same feature dimension.
    pub fn same_dim(&self, other: &FeatureFile) -> Result<()> {
        if self.dim == other.dim {
            return Ok(());
        }
        Err(HeadsError::Shape(format!(
            "feature dimensions differ: {} in {} but {} in {}",
            self.dim,
            self.path.display(),
            other.dim,
            other.path.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use safetensors::tensor::TensorView;

    fn write(path: &Path, tensors: &[(&str, Dtype, Vec<usize>, Vec<u8>)]) {
        let views: Vec<(&str, TensorView)> = tensors
            .iter()
            .map(|(n, d, s, b)| (*n, TensorView::new(*d, s.clone(), b).unwrap()))
            .collect();
        std::fs::write(path, safetensors::serialize(views, None).unwrap()).unwrap();
    }

    #[test]
    fn reads_features_and_labels_and_names_the_file_when_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.safetensors");
        let x: Vec<u8> = [1f32, 2., 3., 4.]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let y: Vec<u8> = [0i64, 1].iter().flat_map(|v| v.to_le_bytes()).collect();
        write(
            &p,
            &[
                ("features", Dtype::F32, vec![2, 2], x.clone()),
                ("labels", Dtype::I64, vec![2], y),
            ],
        );
        let f = FeatureFile::read(&p).unwrap();
        assert_eq!((f.dim, f.x.len()), (2, 4));
        assert_eq!(f.classes().unwrap(), &[0, 1]);

        write(&p, &[("features", Dtype::F32, vec![4], x)]);
        let err = FeatureFile::read(&p).unwrap_err().to_string();
        assert!(
            err.contains("f.safetensors") && err.contains("N x D"),
            "{err}"
        );
        std::fs::write(&p, b"not safetensors").unwrap();
        let err = FeatureFile::read(&p).unwrap_err().to_string();
        assert!(err.contains("not a safetensors file"), "{err}");
    }
}
