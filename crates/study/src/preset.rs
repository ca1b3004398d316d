//! Presets: the sizes of every stage of a study, one struct per TOML section with its defaults,
//! so this file reads as the schema (loading and validation: `preset_load.rs`). Unknown keys
//! are errors that name the key.

use serde::{Deserialize, Serialize};
use sslinv_datasets::synth3d::Synth3dConfig;

/// Everything a study run needs to know besides where its data and output live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// Preset name (shown in the report).
    pub name: String,
    /// Report title.
    pub title: String,
    /// A smoke test whose numbers mean nothing (the report says so at the top).
    #[serde(default)]
    pub smoke: bool,
    /// Seed of every random choice of the study.
    #[serde(default)]
    pub seed: u64,
    /// `default` (our corrected behaviour) or `paper-code` (the paper code's quirks).
    #[serde(default = "default_protocol")]
    pub protocol: String,
    /// Where the images come from.
    pub data: DataPreset,
    /// Pretraining settings shared by the models.
    pub pretrain: PretrainPreset,
    /// The encoders this study pretrains (ignored when `--models` gives encoders).
    #[serde(default)]
    pub models: Vec<ModelPreset>,
    /// Baselines every stage also measures.
    #[serde(default)]
    pub baselines: BaselinePreset,
    /// Synthetic and multi-view invariance.
    pub invariance: InvariancePreset,
    /// Downstream probes.
    pub probe: ProbePreset,
    /// Fusion of the pretrained models.
    #[serde(default)]
    pub fusion: FusionPreset,
    /// Evaluation image sizes (the paper's 256/224 on real data, the training size on synth3d,
    /// when absent).
    #[serde(default)]
    pub eval: Option<EvalPreset>,
}

/// Evaluation preprocessing: shorter side resized, then a centre crop.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvalPreset {
    /// Shorter side before the crop for the statistics and the synthetic sweeps (paper: 256).
    pub sweep_resize: u32,
    /// Shorter side before the crop for views, downstream and extrinsic images (paper: 224).
    pub resize: u32,
    /// Centre crop (paper: 224).
    pub crop: u32,
}

impl Preset {
    /// Whose reading of the paper the sweeps, policies and ridge probes follow
    /// (`protocol = "paper-code"`: the published code's quirks, docs/reproduction.md).
    pub fn fidelity(&self) -> sslinv_augment::Protocol {
        if self.protocol == "paper-code" {
            sslinv_augment::Protocol::PaperCode
        } else {
            sslinv_augment::Protocol::Corrected
        }
    }
}

fn default_protocol() -> String {
    "default".into()
}

/// Where the images come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// The embedded procedural dataset, rendered and cached.
    Synth3d,
    /// The paper's datasets in their real layouts under `--data-root`.
    Root,
}

/// The data source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataPreset {
    /// `synth3d` or `root`.
    pub source: SourceKind,
    /// Sizes of the rendered synth3d splits (synth3d only).
    #[serde(default)]
    pub synth3d: Option<Synth3dConfig>,
    /// Pretrain on ImageNet val when ImageNet train is absent (root only).
    #[serde(default)]
    pub pretrain_on_val: bool,
}

/// How the models are pretrained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PretrainPreset {
    /// Objective (`moco-v2`, `simclr`, `byol`, `barlow`).
    pub objective: String,
    /// Backbone (`resnet18`, `resnet50`, ...).
    pub arch: String,
    /// Backbone width multiplier.
    pub width_mult: f64,
    /// `imagenet` or `cifar`.
    pub stem: String,
    /// Side of the training views.
    pub image_size: u32,
    /// Epochs over the pretraining images.
    pub epochs: usize,
    /// Cap on optimiser steps (the run stops there).
    #[serde(default)]
    pub max_steps: Option<u64>,
    /// Batch size.
    pub batch_size: usize,
    /// Base learning rate at batch 256 (objective default when absent).
    #[serde(default)]
    pub lr: Option<f64>,
    /// MoCo queue length (objective default when absent; capped by the image count).
    #[serde(default)]
    pub queue: Option<usize>,
    /// MoCo key-encoder momentum (objective default when absent).
    #[serde(default)]
    pub key_momentum: Option<f64>,
    /// Softmax temperature (objective default when absent).
    #[serde(default)]
    pub temperature: Option<f64>,
    /// Linear warm-up in epochs (objective default when absent).
    #[serde(default)]
    pub warmup_epochs: Option<f64>,
    /// At most this many pretraining images (all when absent).
    #[serde(default)]
    pub max_images: Option<usize>,
    /// Pretraining images are resized (shorter side) to this on load, if set.
    #[serde(default)]
    pub image_side: Option<u32>,
    /// Optimiser steps between checkpoints (resume points).
    #[serde(default = "default_checkpoint_every")]
    pub checkpoint_every: u64,
    /// Models pretrained at once on a CPU, each on its share of the cores (0: one per core).
    /// Small networks in small batches use one core better than two (docs/demo.md).
    #[serde(default = "default_concurrent")]
    pub concurrent: usize,
}

fn default_concurrent() -> usize {
    1
}

fn default_checkpoint_every() -> u64 {
    1000
}

/// One pretrained model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelPreset {
    /// Name in results (`default`, `ventral`, ...).
    pub name: String,
    /// Augmentation policy.
    pub policy: String,
    /// Width multiplier, when it differs from the pretraining default.
    #[serde(default)]
    pub width_mult: Option<f64>,
}

/// Baselines measured beside the models.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselinePreset {
    /// A randomly initialised encoder of the same architecture.
    #[serde(default)]
    pub random: bool,
    /// An encoder trained on the class labels with the same backbone and budget.
    #[serde(default)]
    pub supervised: bool,
    /// Base learning rate (at batch 256) of the supervised baseline; default torchvision's 0.1.
    #[serde(default)]
    pub supervised_lr: Option<f64>,
}

/// Invariance measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvariancePreset {
    /// Images giving the whitening statistics.
    pub stats_images: usize,
    /// Images swept per transform.
    pub sweep_images: usize,
    /// Settings per sweep (the paper's k when absent).
    #[serde(default)]
    pub k: Option<usize>,
    /// Transforms swept (all 18 when absent).
    #[serde(default)]
    pub transforms: Option<Vec<String>>,
    /// At most this many view groups per multi-view dataset.
    #[serde(default)]
    pub max_groups: Option<usize>,
    /// Measure extrinsic invariance (latent regression) where latents exist.
    #[serde(default)]
    pub extrinsic: bool,
    /// Images per forward pass.
    pub batch: usize,
    /// Resamples of the bootstrap intervals.
    #[serde(default = "default_bootstrap")]
    pub bootstrap: usize,
}

fn default_bootstrap() -> usize {
    1000
}

/// Downstream probes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbePreset {
    /// Cross-validation folds.
    pub folds: usize,
    /// Tasks: synth3d targets (`class`, `landmarks`, ...) or downstream dataset names; all
    /// that apply when absent.
    #[serde(default)]
    pub tasks: Option<Vec<String>>,
    /// At most this many training images per dataset.
    #[serde(default)]
    pub max_train: Option<usize>,
    /// At most this many test images per dataset.
    #[serde(default)]
    pub max_test: Option<usize>,
}

/// Fusion of the pretrained models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FusionPreset {
    /// Probe the concatenation of all pretrained models and rank every subset.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Share of the training split held out to score subsets.
    #[serde(default = "default_val_share")]
    pub val_share: f64,
}

fn yes() -> bool {
    true
}

fn default_val_share() -> f64 {
    0.25
}

impl Default for FusionPreset {
    fn default() -> Self {
        Self {
            enabled: true,
            val_share: default_val_share(),
        }
    }
}

impl Preset {
    /// The synth3d config when the study runs on synth3d.
    pub fn synth3d(&self) -> Option<Synth3dConfig> {
        match self.data.source {
            SourceKind::Synth3d => Some(self.data.synth3d.unwrap_or_else(Synth3dConfig::demo)),
            SourceKind::Root => None,
        }
    }

    /// The evaluation sizes in effect.
    pub fn eval(&self) -> EvalPreset {
        if let Some(e) = self.eval {
            return e;
        }
        match self.data.source {
            SourceKind::Synth3d => {
                let s = self.pretrain.image_size;
                EvalPreset {
                    sweep_resize: s,
                    resize: s,
                    crop: s,
                }
            }
            SourceKind::Root => EvalPreset {
                sweep_resize: 256,
                resize: 224,
                crop: 224,
            },
        }
    }

    /// The transforms swept.
    pub fn transforms(&self) -> Vec<sslinv_augment::Transform> {
        match &self.invariance.transforms {
            Some(names) => names.iter().filter_map(|t| t.parse().ok()).collect(),
            None => sslinv_augment::Transform::all().to_vec(),
        }
    }
}
