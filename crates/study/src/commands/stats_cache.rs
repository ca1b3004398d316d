//! Whitening statistics of an image list, streamed in batches and cached on disk per model
//! (weights hashed), image list (paths and sizes) and preprocessing; and the image listing the
//! commands share.

use std::path::{Path, PathBuf};

use candle_core::Device;
use image::RgbImage;
use rayon::prelude::*;
use sslinv_augment::Preprocess;
use sslinv_encoders::Encoder;
use sslinv_invariance::{
    EncoderFeatures, FeatureStats, InvarianceError, StatsAccumulator, StatsCache, batched_features,
    hash_file, stats_key,
};

use crate::error::Result;

/// Image files under `src` (a folder, recursively, sorted; or a list file).
pub fn list_images(src: &Path) -> Result<Vec<PathBuf>> {
    Ok(sslinv_datasets::stream::FileList::folder_or_list(src)?.paths())
}

/// The images at `paths`, decoded in parallel (each error names its file).
pub fn load_images(paths: &[PathBuf]) -> Result<Vec<RgbImage>> {
    Ok(paths
        .par_iter()
        .map(|p| sslinv_datasets::source::decode_file(p))
        .collect::<std::result::Result<_, _>>()?)
}

/// The default statistics cache: `~/.cache/sslinv/stats` (`.sslinv-cache/stats` without HOME).
pub fn default_stats_dir() -> PathBuf {
    std::env::var_os("HOME")
        .map(|h| PathBuf::from(h).join(".cache/sslinv/stats"))
        .unwrap_or_else(|| PathBuf::from(".sslinv-cache/stats"))
}

/// The model's identity for the cache: the weights' hash where the spec names files, else the
/// (deterministic) spec itself.
fn model_id(spec: &str) -> Result<String> {
    let mut id = spec.to_string();
    for part in spec.split(['+', ':']) {
        let p = Path::new(part);
        if p.is_file() {
            id.push_str(&format!("|{}", hash_file(p)?));
        }
    }
    Ok(id)
}

fn prep_id(prep: &Preprocess) -> String {
    format!(
        "resize{:?}-crop{:?}-mean{:?}-std{:?}",
        prep.resize, prep.crop, prep.mean, prep.std
    )
}

/// What the statistics are of, and where they are cached.
pub struct StatsRequest<'a> {
    /// Cache folder.
    pub cache: &'a Path,
    /// The model's spec text (part of the key).
    pub model: &'a str,
    /// The encoder.
    pub encoder: &'a dyn Encoder,
    /// Where it runs.
    pub device: &'a Device,
    /// Images per forward pass.
    pub batch: usize,
}

/// Statistics of the images at `paths` under `prep`: from the cache, or computed in batches
/// (memory bounded by one batch) and stored.
pub fn cached_stats(
    req: &StatsRequest<'_>,
    paths: &[PathBuf],
    prep: &Preprocess,
) -> Result<FeatureStats> {
    let ids: Vec<String> = paths
        .iter()
        .map(|p| {
            let len = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            format!("{}#{len}", p.display())
        })
        .collect();
    let key = stats_key(&model_id(req.model)?, &ids, &prep_id(prep));
    let stats = StatsCache::new(req.cache).get_or_compute(&key, || {
        eprintln!("computing feature statistics of {} images", paths.len());
        let mut f = EncoderFeatures::new(req.encoder, prep, req.device);
        let mut acc = StatsAccumulator::new(
            req.encoder.dim(),
            format!("{} on the statistics images", req.model),
        );
        for chunk in paths.chunks(req.batch.max(1)) {
            let imgs =
                load_images(chunk).map_err(|e| InvarianceError::callback("loading images", e))?;
            let prepared: Vec<RgbImage> = imgs.par_iter().map(|im| prep.image(im)).collect();
            let rows = batched_features(&mut f, &prepared, req.batch, req.model)?;
            acc.push(&rows, prepared.len())?;
        }
        acc.finish()
    })?;
    if stats.shrinkage > 0.0 || stats.ridge > 0.0 {
        eprintln!(
            "covariance of {} rows x {} dims regularised: shrinkage {:.4}, ridge {:.3e}",
            stats.count, stats.dim, stats.shrinkage, stats.ridge
        );
    }
    Ok(stats)
}
