//! On-disk cache of feature statistics, keyed by a hash of the model weights, the statistics
//! image list and the preprocessing, so every transform of a model reuses one computation.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use safetensors::{Dtype, SafeTensors, tensor::TensorView};

use crate::error::{InvarianceError, Result};
use crate::stats::FeatureStats;

/// Bumped when the stored layout or the statistics' definition changes.
const FORMAT: &str = "sslinv-stats-v1";

/// Cache key: blake3 of the model identity (a weights hash or a deterministic spec), the ordered
/// statistics image identities and the preprocessing description.
pub fn stats_key<S: AsRef<str>>(model_id: &str, images: &[S], preprocess: &str) -> String {
    let mut h = blake3::Hasher::new();
    for part in [FORMAT, model_id, preprocess] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.update(&(images.len() as u64).to_le_bytes());
    for img in images {
        let s = img.as_ref();
        h.update(&(s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    }
    h.finalize().to_hex().to_string()
}

/// blake3 of a file's bytes (for weights files and statistics images).
pub fn hash_file(path: &Path) -> Result<String> {
    let mut h = blake3::Hasher::new();
    let mut f = std::fs::File::open(path).map_err(|e| InvarianceError::io(path, e))?;
    std::io::copy(&mut f, &mut h).map_err(|e| InvarianceError::io(path, e))?;
    Ok(h.finalize().to_hex().to_string())
}

/// A folder of cached statistics, one safetensors file per key.
#[derive(Clone, Debug)]
pub struct StatsCache {
    dir: PathBuf,
}

impl StatsCache {
    /// A cache in `dir` (created on first store).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// Where the statistics for `key` live.
    pub fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("stats-{key}.safetensors"))
    }

    /// The cached statistics for `key`, if any.
    pub fn load(&self, key: &str) -> Result<Option<FeatureStats>> {
        let path = self.path(key);
        if !path.exists() {
            return Ok(None);
        }
        let bytes = std::fs::read(&path).map_err(|e| InvarianceError::io(&path, e))?;
        let bad = |m: String| InvarianceError::Format {
            path: path.clone(),
            reason: m,
        };
        let corrupt = |source| InvarianceError::Safetensors {
            path: path.clone(),
            source,
        };
        let st = SafeTensors::deserialize(&bytes).map_err(corrupt)?;
        let (_, meta) = SafeTensors::read_metadata(&bytes).map_err(corrupt)?;
        let info = meta.metadata().clone().unwrap_or_default();
        let field = |k: &str| -> Result<f64> {
            info.get(k)
                .and_then(|v| v.parse::<f64>().ok())
                .ok_or_else(|| bad(format!("stats cache lacks metadata `{k}`")))
        };
        if info.get("format").map(String::as_str) != Some(FORMAT) {
            return Err(bad(format!("not a {FORMAT} file")));
        }
        let read = |name: &str| -> Result<Vec<f64>> {
            let t = st
                .tensor(name)
                .map_err(|e| bad(format!("tensor `{name}`: {e}")))?;
            if t.dtype() != Dtype::F64 {
                return Err(bad(format!("tensor `{name}` is not f64")));
            }
            Ok(t.data()
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
                .collect())
        };
        let stats = FeatureStats::from_parts(
            field("count")? as usize,
            read("mean")?,
            read("covariance")?,
            read("whitening")?,
            field("shrinkage")?,
            field("ridge")?,
        )?;
        Ok(Some(stats))
    }

    /// Stores statistics under `key` (a unique temp file, then rename).
    pub fn store(&self, key: &str, stats: &FeatureStats) -> Result<PathBuf> {
        std::fs::create_dir_all(&self.dir).map_err(|e| InvarianceError::io(&self.dir, e))?;
        let path = self.path(key);
        let d = stats.dim;
        let bytes = |v: &[f64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        let (mean, cov, white) = (
            bytes(&stats.mean),
            bytes(&stats.covariance),
            bytes(&stats.whitening),
        );
        let st_err = |source| InvarianceError::Safetensors {
            path: path.clone(),
            source,
        };
        let view =
            |shape: Vec<usize>, data| TensorView::new(Dtype::F64, shape, data).map_err(st_err);
        let tensors = vec![
            ("covariance", view(vec![d, d], &cov)?),
            ("mean", view(vec![d], &mean)?),
            ("whitening", view(vec![d, d], &white)?),
        ];
        let info: HashMap<String, String> = [
            ("format", FORMAT.to_string()),
            ("count", stats.count.to_string()),
            ("shrinkage", format!("{:e}", stats.shrinkage)),
            ("ridge", format!("{:e}", stats.ridge)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let data = sslinv_encoders::serialize_sorted(tensors, info).map_err(st_err)?;
        // A temp file unique to this process and call: two processes storing the same key at
        // once each rename a whole file of their own (a shared temp name tore it).
        sslinv_encoders::write_atomic(&path, &data).map_err(|e| InvarianceError::Encoder {
            context: "storing feature statistics".into(),
            source: Box::new(e),
        })?;
        Ok(path)
    }

    /// The cached statistics for `key`, computing and storing them when absent.
    pub fn get_or_compute(
        &self,
        key: &str,
        compute: impl FnOnce() -> Result<FeatureStats>,
    ) -> Result<FeatureStats> {
        if let Some(s) = self.load(key)? {
            return Ok(s);
        }
        let s = compute()?;
        self.store(key, &s)?;
        Ok(s)
    }
}
