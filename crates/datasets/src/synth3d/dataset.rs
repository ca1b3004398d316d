//! `Synth3d`: every split of one config, generated in parallel or loaded from the cache.

use super::cache;
use super::config::Synth3dConfig;
use super::error::Synth3dError;
use super::latents::Latents;
use super::render::render_full;
use super::sample::Sample;
use super::splits::{GroupKind, group_latents, pretrain_latents, probe_latents};
use image::RgbImage;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// The generated data of one `Synth3dConfig`.
#[derive(Clone, Debug, PartialEq)]
pub struct Synth3d {
    /// The config it was generated from.
    pub config: Synth3dConfig,
    /// Unlabelled pretraining images.
    pub pretrain: Vec<RgbImage>,
    /// The latents of each pretraining image.
    pub pretrain_latents: Vec<Latents>,
    /// Probe training samples.
    pub train: Vec<Sample>,
    /// Probe test samples.
    pub test: Vec<Sample>,
    pub(crate) groups: [Vec<Vec<RgbImage>>; 3],
    pub(crate) group_latents: [Vec<Vec<Latents>>; 3],
}

impl Synth3d {
    /// Renders one image (`size` x `size`) from its latents.
    pub fn render(latents: &Latents, size: u32) -> Result<RgbImage, Synth3dError> {
        Ok(render_full(latents, size)?.image)
    }

    /// Renders one labelled sample (image, class, landmarks) from its latents.
    pub fn render_sample(latents: &Latents, size: u32) -> Result<Sample, Synth3dError> {
        let r = render_full(latents, size)?;
        Ok(Sample {
            image: r.image,
            class: latents.class,
            landmarks: r.landmarks,
            landmark_visible: r.visible,
            latents: *latents,
        })
    }

    /// Generates every split, in parallel over images (the result does not depend on thread count).
    pub fn generate(cfg: &Synth3dConfig) -> Result<Synth3d, Synth3dError> {
        cfg.validate()?;
        let render_all = |ls: &[Latents]| -> Result<Vec<Sample>, Synth3dError> {
            ls.par_iter()
                .map(|l| Self::render_sample(l, cfg.size))
                .collect()
        };
        let pretrain_latents = pretrain_latents(cfg);
        let pretrain = pretrain_latents
            .par_iter()
            .map(|l| Self::render(l, cfg.size))
            .collect::<Result<Vec<_>, _>>()?;
        let train = render_all(&probe_latents(cfg, false))?;
        let test = render_all(&probe_latents(cfg, true))?;
        let group_latents = GroupKind::ALL.map(|k| group_latents(cfg, k));
        let mut groups: [Vec<Vec<RgbImage>>; 3] = Default::default();
        for (out, gl) in groups.iter_mut().zip(&group_latents) {
            let flat: Vec<Latents> = gl.iter().flatten().copied().collect();
            let images = flat
                .par_iter()
                .map(|l| Self::render(l, cfg.size))
                .collect::<Result<Vec<_>, _>>()?;
            *out = images
                .chunks(cfg.views_per_group.max(1))
                .map(|c| c.to_vec())
                .collect();
        }
        Ok(Synth3d {
            config: *cfg,
            pretrain,
            pretrain_latents,
            train,
            test,
            groups,
            group_latents,
        })
    }

    /// Where the cache file of `cfg` lives under `cache_dir`.
    pub fn cache_path(cfg: &Synth3dConfig, cache_dir: &Path) -> PathBuf {
        cache_dir.join(format!("synth3d-{:016x}.bin", cfg.cache_key()))
    }

    /// Loads the cached data of `cfg` if there is a cache file (`Ok(None)` if not; an error if it
    /// is unreadable or corrupt).
    pub fn load(cfg: &Synth3dConfig, cache_dir: &Path) -> Result<Option<Synth3d>, Synth3dError> {
        let path = Self::cache_path(cfg, cache_dir);
        if !path.exists() {
            return Ok(None);
        }
        cache::read(&path, cfg).map(Some)
    }

    /// Loads the cached data of `cfg`, or generates it and writes the cache (a corrupt or
    /// unreadable cache file is regenerated and replaced).
    pub fn load_or_generate(
        cfg: &Synth3dConfig,
        cache_dir: &Path,
    ) -> Result<Synth3d, Synth3dError> {
        cfg.validate()?;
        if let Ok(Some(data)) = Self::load(cfg, cache_dir) {
            return Ok(data);
        }
        let data = Self::generate(cfg)?;
        data.save(cache_dir)?;
        Ok(data)
    }

    /// Writes the cache file of this data under `cache_dir` (temp file + rename), returning its path.
    pub fn save(&self, cache_dir: &Path) -> Result<PathBuf, Synth3dError> {
        let path = Self::cache_path(&self.config, cache_dir);
        std::fs::create_dir_all(cache_dir).map_err(|source| Synth3dError::Io {
            path: cache_dir.to_path_buf(),
            source,
        })?;
        cache::write(&path, self)?;
        Ok(path)
    }

    /// The view groups of one kind: `n_groups` groups of `views_per_group` images each.
    pub fn groups(&self, kind: GroupKind) -> &[Vec<RgbImage>] {
        &self.groups[kind.index()]
    }

    /// The latents of each image of `groups(kind)`.
    pub fn group_latents(&self, kind: GroupKind) -> &[Vec<Latents>] {
        &self.group_latents[kind.index()]
    }
}
