//! `Synth3dImages`: synth3d's pretraining images rendered on demand instead of held in memory.

use image::RgbImage;

use super::source::StreamSource;
use crate::error::{DatasetError, Result};
use crate::synth3d::{Latents, Synth3d, Synth3dConfig, pretrain_latents};

/// The `pretrain` split of a synth3d config, each image rendered when asked for (the same
/// pixels as [`Synth3d::generate`]: an image is a pure function of its latents).
#[derive(Debug, Clone)]
pub struct Synth3dImages {
    latents: Vec<Latents>,
    size: u32,
}

impl Synth3dImages {
    /// The pretraining images of `cfg` (only their latents are kept).
    pub fn pretrain(cfg: &Synth3dConfig) -> Result<Synth3dImages> {
        cfg.validate()?;
        Ok(Synth3dImages {
            latents: pretrain_latents(cfg),
            size: cfg.size,
        })
    }
}

impl StreamSource for Synth3dImages {
    fn len(&self) -> usize {
        self.latents.len()
    }

    fn load(&self, i: usize) -> Result<RgbImage> {
        let l = self
            .latents
            .get(i)
            .ok_or_else(|| DatasetError::OutOfRange {
                dataset: "synth3d".into(),
                index: i,
                len: self.latents.len(),
            })?;
        Ok(Synth3d::render(l, self.size)?)
    }

    fn origin(&self, i: usize) -> String {
        format!("synth3d#{i}")
    }
}
