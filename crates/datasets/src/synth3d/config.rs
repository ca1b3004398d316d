//! How much synth3d data to generate, and the cache key that identifies it.

use super::error::Synth3dError;
use super::render::MAX_SIZE;
use serde::{Deserialize, Serialize};

/// Bumped whenever the renderer's output changes, so stale caches are not reused.
pub const RENDERER_VERSION: u32 = 3;

/// Sizes of the generated splits. Every image is a pure function of `(seed, split, index)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
// A study preset's `[data] synth3d` table is this config: a misspelt size must be an error.
#[serde(deny_unknown_fields)]
pub struct Synth3dConfig {
    /// Master seed.
    pub seed: u64,
    /// Image side in pixels.
    pub size: u32,
    /// Unlabelled pretraining images.
    pub n_pretrain: usize,
    /// Labelled probe training samples.
    pub n_train: usize,
    /// Labelled probe test samples.
    pub n_test: usize,
    /// View groups per kind (viewpoint, illumination, temperature).
    pub n_groups: usize,
    /// Images per view group.
    pub views_per_group: usize,
}

impl Default for Synth3dConfig {
    /// The demo config.
    fn default() -> Synth3dConfig {
        Synth3dConfig::demo()
    }
}

impl Synth3dConfig {
    /// The demo's data: 10k pretraining, 5k probe (4k train + 1k test), 100 groups of 8 per kind.
    pub fn demo() -> Synth3dConfig {
        Synth3dConfig {
            seed: 0,
            size: 64,
            n_pretrain: 10_000,
            n_train: 4_000,
            n_test: 1_000,
            n_groups: 100,
            views_per_group: 8,
        }
    }

    /// A small set that generates in about a second, for tests and `demo --quick`.
    pub fn quick() -> Synth3dConfig {
        Synth3dConfig {
            seed: 0,
            size: 64,
            n_pretrain: 512,
            n_train: 240,
            n_test: 120,
            n_groups: 12,
            views_per_group: 6,
        }
    }

    /// Total number of images the config renders.
    pub fn total_images(&self) -> usize {
        self.n_pretrain + self.n_train + self.n_test + 3 * self.n_groups * self.views_per_group
    }

    /// Rejects sizes the renderer cannot produce and counts that would not fit in memory.
    pub fn validate(&self) -> Result<(), Synth3dError> {
        if self.size == 0 || self.size > MAX_SIZE {
            return Err(Synth3dError::InvalidConfig(format!(
                "size {} must be in 1..={MAX_SIZE}",
                self.size
            )));
        }
        if self.n_groups > 0 && self.views_per_group < 2 {
            return Err(Synth3dError::InvalidConfig(format!(
                "views_per_group {} must be at least 2 when there are groups",
                self.views_per_group
            )));
        }
        let bytes = self.total_images() as u128 * self.size as u128 * self.size as u128 * 3;
        if bytes > 64 << 30 {
            return Err(Synth3dError::InvalidConfig(format!(
                "{bytes} bytes of images is more than 64 GiB"
            )));
        }
        Ok(())
    }

    /// A stable 64-bit key of the config and the renderer version, naming its cache file.
    pub fn cache_key(&self) -> u64 {
        let fields = [
            RENDERER_VERSION as u64,
            self.seed,
            self.size as u64,
            self.n_pretrain as u64,
            self.n_train as u64,
            self.n_test as u64,
            self.n_groups as u64,
            self.views_per_group as u64,
        ];
        fields
            .iter()
            .fold(0x5EED_5EED_u64, |h, &f| super::seeds::mix(h ^ f))
    }
}
