//! Checkpoints: `<name>.safetensors` (backbone, torchvision key names), `<name>.json` (what
//! was trained and how) and `<name>.state.safetensors` (heads, key/target networks, queue,
//! optimiser momentum: everything `--resume` needs). Every file is written to a temporary
//! file and renamed, and the JSON last, so a killed run leaves the previous checkpoint whole.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::config::{Objective, PretrainConfig};
use crate::{HeadSpec, ObjectivesError, Result};

/// Version of the checkpoint layout.
pub const CHECKPOINT_FORMAT: u32 = 1;

/// The `<name>.json` next to the weights.
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
    /// Mean loss over the last logged steps.
    pub loss: Option<f32>,
    /// Mean contrastive accuracy over the last logged steps.
    pub accuracy: Option<f32>,
    /// Backbone weights file (same folder).
    pub weights: String,
    /// Resume-state file (same folder).
    pub state: String,
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

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ObjectivesError + '_ {
    move |source| ObjectivesError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".tmp");
    PathBuf::from(s)
}

/// Writes tensors as safetensors through a temporary file and a rename.
pub fn write_tensors(path: &Path, tensors: Vec<(String, Tensor)>) -> Result<()> {
    let map: HashMap<String, Tensor> = tensors.into_iter().collect();
    let tmp = tmp_path(path);
    candle_core::safetensors::save(&map, &tmp).map_err(|e| ObjectivesError::Checkpoint {
        path: tmp.clone(),
        msg: e.to_string(),
    })?;
    std::fs::rename(&tmp, path).map_err(io(path))
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

/// Writes the metadata JSON through a temporary file and a rename.
pub fn write_meta(path: &Path, meta: &CheckpointMeta) -> Result<()> {
    let text = serde_json::to_string_pretty(meta).map_err(|e| ObjectivesError::Checkpoint {
        path: path.into(),
        msg: e.to_string(),
    })?;
    let tmp = tmp_path(path);
    std::fs::write(&tmp, text).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

/// Reads a checkpoint's metadata JSON.
pub fn read_meta(path: &Path) -> Result<CheckpointMeta> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    let meta: CheckpointMeta =
        serde_json::from_str(&text).map_err(|e| ObjectivesError::Checkpoint {
            path: path.into(),
            msg: format!("bad JSON: {e}"),
        })?;
    if meta.format != CHECKPOINT_FORMAT {
        return Err(ObjectivesError::Checkpoint {
            path: path.into(),
            msg: format!(
                "format {} (this build reads {CHECKPOINT_FORMAT})",
                meta.format
            ),
        });
    }
    Ok(meta)
}
