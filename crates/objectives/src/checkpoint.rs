//! Checkpoints: `<name>.safetensors` (backbone, torchvision key names), `<name>.json` (what
//! was trained and how) and `<name>.state.safetensors` (heads, key/target networks, queue,
//! optimiser momentum: everything `--resume` needs). Every file is written to a temporary
//! file and renamed, the JSON last, so no file is ever partial; a kill between two renames
//! leaves files from two saves, which `--resume` detects (state and card steps differ) and
//! answers by starting over (training is deterministic, so the numbers are the same).
//!
//! The JSON is the model card (`sslinv_encoders::ModelCard`, the one type every reader uses);
//! [`CheckpointMeta`] is the trainer's typed view of it (its config, head shapes and queue
//! position typed), converted to and from the card on write and read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::{Device, Tensor};
use serde::{Deserialize, Serialize};

use sslinv_encoders::{CARD_FORMAT, ModelCard};

use crate::config::{Objective, PretrainConfig};
use crate::{HeadSpec, ObjectivesError, Result};

/// Version of the checkpoint layout (the model card's).
pub const CHECKPOINT_FORMAT: u32 = CARD_FORMAT;

/// The trainer's typed view of the model card (`<name>.json`) next to the weights.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CheckpointMeta {
    /// Layout version ([`CHECKPOINT_FORMAT`]).
    pub format: u32,
    /// Backbone architecture (`resnet18`, ...).
    pub arch: String,
    /// Width multiplier.
    pub width_mult: f64,
    /// Stem (`imagenet` or `cifar`).
    pub stem: String,
    /// Backbone feature dimension.
    pub dim: usize,
    /// Augmentation policy as given.
    pub policy: String,
    /// Objective.
    pub objective: Objective,
    /// Completed epochs (fractional during an epoch).
    pub epoch: f64,
    /// Optimiser steps taken.
    pub step: u64,
    /// Steps the whole run takes.
    pub total_steps: u64,
    /// Run seed.
    pub seed: u64,
    /// Number of training images (a resume must see the same set).
    pub n_images: usize,
    /// The full configuration, hyper-parameters included.
    pub config: PretrainConfig,
    /// Projector shape.
    pub projector: HeadSpec,
    /// Predictor shape (BYOL).
    pub predictor: Option<HeadSpec>,
    /// MoCo queue write position.
    pub queue_ptr: Option<usize>,
    /// How the single-device run emulates MoCo's shuffle-BN.
    pub shuffle_bn: Option<String>,
    /// Mean loss over the last logged steps (`recent`).
    pub loss: Option<f32>,
    /// Mean contrastive accuracy over the last logged steps.
    pub accuracy: Option<f32>,
    /// Backbone weights file (same folder).
    pub weights: String,
    /// Resume-state file (same folder).
    pub state: String,
    /// The last logged steps (at most 10), carried across resumes.
    #[serde(default)]
    pub recent: Vec<crate::train::StepLog>,
}

/// Paths of a checkpoint named `name` in `dir`.
pub struct CheckpointPaths {
    /// Backbone weights.
    pub weights: PathBuf,
    /// Metadata JSON.
    pub json: PathBuf,
    /// Resume state.
    pub state: PathBuf,
}

impl CheckpointPaths {
    /// `<dir>/<name>.safetensors`, `<dir>/<name>.json`, `<dir>/<name>.state.safetensors`.
    pub fn new(dir: &Path, name: &str) -> Self {
        Self {
            weights: dir.join(format!("{name}.safetensors")),
            json: dir.join(format!("{name}.json")),
            state: dir.join(format!("{name}.state.safetensors")),
        }
    }
}

/// Writes tensors as safetensors through a uniquely named temporary file and a rename (the
/// writer's pid in its name, so a later run can tell a killed writer's orphan).
pub fn write_tensors(path: &Path, tensors: Vec<(String, Tensor)>) -> Result<()> {
    let bad = |msg: String| ObjectivesError::Checkpoint {
        path: path.to_path_buf(),
        msg,
    };
    let bytes = safetensors::tensor::serialize(tensors.iter().map(|(n, t)| (n.as_str(), t)), None)
        .map_err(|e| bad(e.to_string()))?;
    sslinv_encoders::write_atomic(path, &bytes).map_err(|e| bad(e.to_string()))
}

/// Reads a safetensors file, naming it in any error.
pub fn read_tensors(path: &Path, device: &Device) -> Result<HashMap<String, Tensor>> {
    if !path.is_file() {
        return Err(ObjectivesError::Checkpoint {
            path: path.into(),
            msg: "file not found".into(),
        });
    }
    candle_core::safetensors::load(path, device).map_err(|e| ObjectivesError::Checkpoint {
        path: path.into(),
        msg: e.to_string(),
    })
}

impl CheckpointMeta {
    /// The model card this metadata is written as (same keys, plus `image_size` at the top).
    pub fn to_card(&self) -> Result<ModelCard> {
        let mut card: ModelCard = serde_json::to_value(self)
            .and_then(serde_json::from_value)
            .map_err(|source| ObjectivesError::Json {
                path: PathBuf::from(&self.config.name),
                source,
            })?;
        card.image_size = self.config.image_size;
        Ok(card)
    }

    /// The trainer's view of a card read from `path` (named in errors).
    pub fn from_card(card: &ModelCard, path: &Path) -> Result<CheckpointMeta> {
        serde_json::to_value(card)
            .and_then(serde_json::from_value)
            .map_err(|source| ObjectivesError::Json {
                path: path.into(),
                source,
            })
    }
}

/// Writes the metadata as a model card through a temporary file and a rename.
pub fn write_meta(path: &Path, meta: &CheckpointMeta) -> Result<()> {
    Ok(meta.to_card()?.write(path)?)
}

/// Reads a checkpoint's model card as the trainer's metadata.
pub fn read_meta(path: &Path) -> Result<CheckpointMeta> {
    CheckpointMeta::from_card(&ModelCard::read(path)?, path)
}
