//! Features of a (possibly fused) model spec over image sources: each member's features come
//! from the cache or are extracted (the member loaded on first need) and cached, then fused.

use crate::cache::{CacheKey, FeatureCache};
use crate::encoder::Encoder;
use crate::error::Result;
use crate::extract::{ExtractOptions, extract};
use crate::features::Features;
use crate::load::load_model;
use crate::source::ImageSource;
use crate::spec::ModelSpec;
use candle_core::Device;
use sslinv_augment::Preprocess;

/// A model spec's features, member by member through an optional cache.
pub struct FeatureExtractor {
    spec: ModelSpec,
    device: Device,
    cache: Option<FeatureCache>,
    batch_size: usize,
    progress: bool,
    encoders: Vec<Option<Box<dyn Encoder>>>,
}

impl FeatureExtractor {
    /// Features of `spec` on `device`, 32 images per pass, no cache, no progress bar.
    pub fn new(spec: ModelSpec, device: Device) -> Self {
        let encoders = spec.members().iter().map(|_| None).collect();
        Self {
            spec,
            device,
            cache: None,
            batch_size: 32,
            progress: false,
            encoders,
        }
    }

    /// Reads and writes each member's features in `cache`.
    pub fn with_cache(mut self, cache: FeatureCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Images per forward pass.
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Whether to draw a progress bar per member and split.
    pub fn with_progress(mut self, progress: bool) -> Self {
        self.progress = progress;
        self
    }

    /// The spec.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// Each member's features of `images` (split `split` of dataset `dataset`, which with
    /// `prep` keys the cache), in member order. A cached file with another row count than
    /// `images` is stale and is replaced.
    pub fn member_features<S: ImageSource + ?Sized>(
        &mut self,
        images: &S,
        dataset: &str,
        split: &str,
        prep: &Preprocess,
    ) -> Result<Vec<Features>> {
        let members = self.spec.members().to_vec();
        let mut out = Vec::with_capacity(members.len());
        for (i, member) in members.iter().enumerate() {
            let key = CacheKey::new(member, dataset, split, prep);
            if let Some(cache) = &self.cache
                && let Some(f) = cache.load(&key)?
                && f.n == images.len()
            {
                out.push(f);
                continue;
            }
            if self.encoders[i].is_none() {
                self.encoders[i] = Some(load_model(member, &self.device)?.encoder);
            }
            let encoder = self.encoders[i].as_deref().expect("loaded above");
            let mut opts = ExtractOptions::new(self.batch_size);
            if self.progress {
                opts = opts.with_progress(format!("{member} {dataset} {split}"));
            }
            let f = extract(encoder, images, prep, &self.device, &opts)?;
            if let Some(cache) = &self.cache {
                cache.store(&key, &f)?;
            }
            out.push(f);
        }
        Ok(out)
    }

    /// The spec's features of `images`: its members' (cached) features fused by its mode.
    pub fn features<S: ImageSource + ?Sized>(
        &mut self,
        images: &S,
        dataset: &str,
        split: &str,
        prep: &Preprocess,
    ) -> Result<Features> {
        let parts = self.member_features(images, dataset, split, prep)?;
        Features::fuse(&parts, self.spec.fuse_mode())
    }
}
