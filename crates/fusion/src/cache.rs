//! An on-disk cache of extracted features, keyed by what produced them.
//!
//! Files live at `<root>/.sslinv-features/<blake3>.safetensors` with one `features` N x D f32
//! tensor; the key hashes the model spec, the dataset, the split and the preprocessing (plus the
//! size and modification time of any local checkpoint the spec names, so retrained weights miss).

use crate::error::{FusionError, Result};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A row-major N x D feature matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// N * D values.
    pub data: Vec<f32>,
    /// Rows.
    pub n: usize,
    /// Columns.
    pub dim: usize,
}

/// What produced a set of features; its hash names the cache file.
#[derive(Debug, Clone)]
pub struct CacheKey {
    /// Model spec of one encoder.
    pub model: String,
    /// Dataset name (and any config that changes its images).
    pub dataset: String,
    /// Split name.
    pub split: String,
    /// Preprocessing description.
    pub preprocess: String,
}

impl CacheKey {
    /// The hex blake3 hash of the key's fields and of any local files the model spec names.
    pub fn hash(&self) -> String {
        let mut h = blake3::Hasher::new();
        for (name, value) in [
            ("model", &self.model),
            ("dataset", &self.dataset),
            ("split", &self.split),
            ("preprocess", &self.preprocess),
        ] {
            h.update(name.as_bytes());
            h.update(b"=");
            h.update(value.as_bytes());
            h.update(b"\n");
        }
        for part in self.model.split([':', '+']) {
            if let Ok(meta) = std::fs::metadata(part.trim())
                && meta.is_file()
            {
                let mtime = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                h.update(format!("file={part}:{}:{mtime}\n", meta.len()).as_bytes());
            }
        }
        h.finalize().to_hex().to_string()
    }

    /// The key's fields as safetensors metadata.
    fn metadata(&self) -> HashMap<String, String> {
        HashMap::from([
            ("model".into(), self.model.clone()),
            ("dataset".into(), self.dataset.clone()),
            ("split".into(), self.split.clone()),
            ("preprocess".into(), self.preprocess.clone()),
        ])
    }
}

/// The feature cache folder under a dataset root.
#[derive(Debug, Clone)]
pub struct FeatureCache {
    dir: PathBuf,
}

impl FeatureCache {
    /// The cache at `<root>/.sslinv-features`.
    pub fn under(root: &Path) -> Self {
        Self {
            dir: root.join(".sslinv-features"),
        }
    }

    /// Where the features of `key` are stored.
    pub fn path(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(format!("{}.safetensors", key.hash()))
    }

    /// The cached features of `key`, or `None` when not cached; a corrupt file is an error.
    pub fn load(&self, key: &CacheKey) -> Result<Option<Features>> {
        let path = self.path(key);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(cache_err(&path, e.to_string())),
        };
        let st = SafeTensors::deserialize(&bytes)
            .map_err(|e| cache_err(&path, format!("not a safetensors file: {e}")))?;
        let t = st
            .tensor("features")
            .map_err(|_| cache_err(&path, "no `features` tensor".into()))?;
        let (n, dim) = match (t.dtype(), t.shape()) {
            (Dtype::F32, [n, d]) => (*n, *d),
            (dt, shape) => {
                return Err(cache_err(
                    &path,
                    format!("`features` must be N x D f32, found {dt:?} {shape:?}"),
                ));
            }
        };
        let data = t
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Ok(Some(Features { data, n, dim }))
    }

    /// Stores `features` for `key` (temp file then rename) and returns the path.
    pub fn store(&self, key: &CacheKey, features: &Features) -> Result<PathBuf> {
        let path = self.path(key);
        if features.data.len() != features.n * features.dim {
            return Err(FusionError::Mismatch(format!(
                "{} values for {} x {} features",
                features.data.len(),
                features.n,
                features.dim
            )));
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| cache_err(&self.dir, e.to_string()))?;
        let bytes: Vec<u8> = features.data.iter().flat_map(|v| v.to_le_bytes()).collect();
        let view = TensorView::new(Dtype::F32, vec![features.n, features.dim], &bytes)
            .map_err(|e| cache_err(&path, e.to_string()))?;
        let tmp = path.with_extension(format!("safetensors.tmp{}", std::process::id()));
        safetensors::serialize_to_file([("features", view)], Some(key.metadata()), &tmp)
            .map_err(|e| cache_err(&tmp, e.to_string()))?;
        std::fs::rename(&tmp, &path).map_err(|e| cache_err(&path, e.to_string()))?;
        Ok(path)
    }
}

fn cache_err(path: &Path, reason: String) -> FusionError {
    FusionError::Cache {
        path: path.to_path_buf(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(model: &str) -> CacheKey {
        CacheKey {
            model: model.into(),
            dataset: "cifar10".into(),
            split: "train".into(),
            preprocess: "resize=224,crop=224".into(),
        }
    }

    #[test]
    fn round_trips_and_misses_other_keys() {
        let dir = tempfile::tempdir().unwrap();
        let cache = FeatureCache::under(dir.path());
        let a = key("random:resnet18:seed=0");
        assert_eq!(cache.load(&a).unwrap(), None);
        let f = Features {
            data: vec![1.0, -2.5, 3.0, 4.0, 5.0, 6.0],
            n: 2,
            dim: 3,
        };
        let path = cache.store(&a, &f).unwrap();
        assert!(path.starts_with(dir.path().join(".sslinv-features")));
        assert_eq!(cache.load(&a).unwrap(), Some(f));
        assert_eq!(cache.load(&key("random:resnet18:seed=1")).unwrap(), None);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join(".sslinv-features"))
            .unwrap()
            .collect();
        assert_eq!(leftovers.len(), 1, "no temp file left behind");
    }

    #[test]
    fn every_field_and_checkpoint_contents_change_the_hash() {
        let base = key("random:resnet18:seed=0");
        let mut other = base.clone();
        other.split = "test".into();
        assert_ne!(base.hash(), other.hash());
        let mut other = base.clone();
        other.preprocess = "resize=256,crop=224".into();
        assert_ne!(base.hash(), other.hash());
        assert_eq!(base.hash(), key("random:resnet18:seed=0").hash());

        let dir = tempfile::tempdir().unwrap();
        let ckpt = dir.path().join("m.safetensors");
        std::fs::write(&ckpt, b"one").unwrap();
        let k = key(&format!("resnet18:{}", ckpt.display()));
        let before = k.hash();
        std::fs::write(&ckpt, b"longer").unwrap();
        assert_ne!(before, k.hash());
    }

    #[test]
    fn corrupt_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let cache = FeatureCache::under(dir.path());
        let k = key("random:resnet18:seed=0");
        std::fs::create_dir_all(dir.path().join(".sslinv-features")).unwrap();
        std::fs::write(cache.path(&k), b"garbage").unwrap();
        let err = cache.load(&k).unwrap_err().to_string();
        assert!(err.contains(".sslinv-features"), "{err}");
    }
}
