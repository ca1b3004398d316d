//! An on-disk cache of extracted features, keyed by what produced them.
//!
//! Files live at `<dir>/<blake3>.safetensors` with one `features` N x D f32 tensor and the
//! key as metadata; the key hashes the model spec, the dataset, the split and the
//! preprocessing (plus the size and modification time of any local checkpoint the spec names,
//! so retrained weights miss). Writers go through a unique temp file and a rename, so
//! concurrent writers of one key leave one whole file.

use crate::atomic::write_atomic;
use crate::error::{EncoderError, Result};
use crate::features::Features;
use crate::spec::ModelSpec;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use sslinv_augment::Preprocess;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What produced a set of features; its hash names the cache file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheKey {
    /// Model spec of one encoder (canonical text).
    pub model: String,
    /// Dataset name (and anything that changes its images: root, config).
    pub dataset: String,
    /// Split name.
    pub split: String,
    /// Preprocessing description ([`preprocess_key`]).
    pub preprocess: String,
}

/// The text a cache key uses for a preprocessing.
pub fn preprocess_key(prep: &Preprocess) -> String {
    let side = |s: Option<u32>| s.map_or("none".to_string(), |v| v.to_string());
    format!(
        "resize={},crop={},mean={:?},std={:?}",
        side(prep.resize),
        side(prep.crop),
        prep.mean,
        prep.std
    )
}

impl CacheKey {
    /// The key of `spec`'s features of `split` of `dataset` after `prep`.
    pub fn new(spec: &ModelSpec, dataset: &str, split: &str, prep: &Preprocess) -> Self {
        Self {
            model: spec.to_string(),
            dataset: dataset.to_string(),
            split: split.to_string(),
            preprocess: preprocess_key(prep),
        }
    }

    /// The hex blake3 hash of the key's fields and of the local files its model spec names.
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
        let files = ModelSpec::parse(&self.model).map_or_else(|_| Vec::new(), |s| s.local_files());
        for path in files {
            if let Ok(meta) = std::fs::metadata(&path)
                && meta.is_file()
            {
                let mtime = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                h.update(format!("file={}:{}:{mtime}\n", path.display(), meta.len()).as_bytes());
            }
        }
        h.finalize().to_hex().to_string()
    }

    fn metadata(&self) -> HashMap<String, String> {
        HashMap::from([
            ("model".into(), self.model.clone()),
            ("dataset".into(), self.dataset.clone()),
            ("split".into(), self.split.clone()),
            ("preprocess".into(), self.preprocess.clone()),
        ])
    }
}

/// A folder of cached features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureCache {
    dir: PathBuf,
}

fn cache_err(path: &Path, reason: impl Into<String>) -> EncoderError {
    EncoderError::Cache {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

impl FeatureCache {
    /// The cache at `<root>/.sslinv-features` (beside a dataset).
    pub fn under(root: &Path) -> Self {
        Self::at(root.join(".sslinv-features"))
    }

    /// The cache in folder `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The cache folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the features of `key` are stored.
    pub fn path(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(format!("{}.safetensors", key.hash()))
    }

    /// The cached features of `key`, or `None` when not cached; a corrupt file is an error
    /// naming it.
    pub fn load(&self, key: &CacheKey) -> Result<Option<Features>> {
        let path = self.path(key);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(EncoderError::Io { path, source }),
        };
        let st = SafeTensors::deserialize(&bytes).map_err(|source| EncoderError::Safetensors {
            path: path.clone(),
            source,
        })?;
        let t = st
            .tensor("features")
            .map_err(|_| cache_err(&path, "no `features` tensor"))?;
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
        Features::new(data, n, dim).map(Some)
    }

    /// Stores `features` for `key` (unique temp file, then rename) and returns the path.
    pub fn store(&self, key: &CacheKey, features: &Features) -> Result<PathBuf> {
        let path = self.path(key);
        if features.data.len() != features.n * features.dim {
            return Err(EncoderError::FeatureShape {
                what: format!("features for {}", path.display()),
                len: features.data.len(),
                n: features.n,
                dim: features.dim,
            });
        }
        let bytes: Vec<u8> = features.data.iter().flat_map(|v| v.to_le_bytes()).collect();
        let st_err = |source| EncoderError::Safetensors {
            path: path.clone(),
            source,
        };
        let view =
            TensorView::new(Dtype::F32, vec![features.n, features.dim], &bytes).map_err(st_err)?;
        let file = crate::serialize_sorted([("features", view)], key.metadata()).map_err(st_err)?;
        write_atomic(&path, &file)?;
        Ok(path)
    }
}
