//! The model card: the `<name>.json` beside a checkpoint's `<name>.safetensors`, saying what
//! was trained and how. Objectives writes it, encoders and everything downstream read it.

use crate::atomic::write_atomic;
use crate::config::{Arch, ResNetConfig, Stem};
use crate::error::{EncoderError, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sslinv_augment::Preprocess;
use std::path::{Path, PathBuf};

/// Version of the card layout this build writes and the newest it reads.
pub const CARD_FORMAT: u32 = 1;

fn card_format() -> u32 {
    CARD_FORMAT
}

/// A checkpoint's model card. Only `arch`, `width_mult` and `stem` are required (a hand-written
/// card for a converted checkpoint may hold just those); unknown keys (an objective's own
/// state, such as head shapes or a queue position) are kept in `extra` and written back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    /// Layout version ([`CARD_FORMAT`]).
    #[serde(default = "card_format")]
    pub format: u32,
    /// Backbone architecture (`resnet18`, ...).
    pub arch: String,
    /// Width multiplier (3.0 for the paper's wide model).
    pub width_mult: f64,
    /// Stem (`imagenet` or `cifar`).
    pub stem: String,
    /// Backbone feature dimension (0 when unknown).
    #[serde(default)]
    pub dim: usize,
    /// Augmentation policy as given (`default`, `ventral`, `dorsal` or an op list).
    #[serde(default)]
    pub policy: String,
    /// Objective (`moco-v2`, `simclr`, `byol`, `barlow`, ...).
    #[serde(default)]
    pub objective: String,
    /// Side of the square training crops, in pixels (cards written before it was a top-level
    /// key take it from `config.image_size`).
    #[serde(default)]
    pub image_size: u32,
    /// Completed epochs (fractional during an epoch).
    #[serde(default)]
    pub epoch: f64,
    /// Optimiser steps taken.
    #[serde(default)]
    pub step: u64,
    /// Steps the whole run takes.
    #[serde(default)]
    pub total_steps: u64,
    /// Run seed.
    #[serde(default)]
    pub seed: u64,
    /// Number of training images.
    #[serde(default)]
    pub n_images: usize,
    /// Mean loss over the last logged steps.
    #[serde(default)]
    pub loss: Option<f32>,
    /// Mean contrastive accuracy over the last logged steps.
    #[serde(default)]
    pub accuracy: Option<f32>,
    /// Backbone weights file (same folder).
    #[serde(default)]
    pub weights: String,
    /// Resume-state file (same folder).
    #[serde(default)]
    pub state: String,
    /// The full training configuration, as the trainer wrote it.
    #[serde(default)]
    pub config: Value,
    /// Every other key (objective-specific state), kept as written.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ModelCard {
    /// The card path of a weights file: `<name>.json` beside `<name>.safetensors`.
    pub fn path_for(weights: &Path) -> PathBuf {
        weights.with_extension("json")
    }

    /// The card beside a `.safetensors` checkpoint, or `None` when there is none (or the
    /// weights are in another format, which never has one).
    pub fn beside(weights: &Path) -> Result<Option<ModelCard>> {
        let json = Self::path_for(weights);
        if !weights.to_string_lossy().ends_with(".safetensors") || !json.is_file() {
            return Ok(None);
        }
        Self::read(&json).map(Some)
    }

    /// Reads a card; errors name the file. Old cards without `image_size` take it from the
    /// training config.
    pub fn read(path: &Path) -> Result<ModelCard> {
        let text = std::fs::read_to_string(path).map_err(|source| EncoderError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_json(&text).map_err(|e| match e {
            EncoderError::CardJson { source, .. } => EncoderError::CardJson {
                path: path.to_path_buf(),
                source,
            },
            EncoderError::Card { reason, .. } => EncoderError::Card {
                path: path.to_path_buf(),
                reason,
            },
            other => other,
        })
    }

    /// Parses a card from JSON text (errors carry an empty path; [`ModelCard::read`] names it).
    pub fn from_json(text: &str) -> Result<ModelCard> {
        let mut card: ModelCard =
            serde_json::from_str(text).map_err(|source| EncoderError::CardJson {
                path: PathBuf::new(),
                source,
            })?;
        if card.format > CARD_FORMAT {
            return Err(EncoderError::Card {
                path: PathBuf::new(),
                reason: format!(
                    "format {} (this build reads up to {CARD_FORMAT})",
                    card.format
                ),
            });
        }
        if card.image_size == 0 {
            card.image_size = card
                .config
                .get("image_size")
                .and_then(Value::as_u64)
                .unwrap_or(0) as u32;
        }
        Ok(card)
    }

    /// Writes the card to `path` as pretty JSON, through a unique temp file and a rename.
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(|source| EncoderError::CardJson {
            path: path.to_path_buf(),
            source,
        })?;
        write_atomic(path, text.as_bytes())
    }

    /// The ResNet the card describes.
    pub fn resnet_config(&self) -> Result<ResNetConfig> {
        Ok(ResNetConfig {
            arch: self.arch.parse::<Arch>()?,
            width_mult: self.width_mult,
            stem: self.stem.parse::<Stem>()?,
        })
    }

    /// Eval preprocessing at the training resolution: resize the shorter side to
    /// `image_size`, centre crop `image_size` (224 when the card does not say).
    pub fn preprocess(&self) -> Preprocess {
        let side = if self.image_size > 0 {
            self.image_size
        } else {
            224
        };
        Preprocess::new(Some(side), Some(side))
    }
}
