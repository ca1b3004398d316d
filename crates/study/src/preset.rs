//! Over 400 lines on purpose: one struct per TOML section with its defaults and validation, so
//! the file reads as the preset schema.
//!
//! Presets: the sizes of every stage of a study, read from TOML files (`presets/*.toml` are
//! embedded; a user's own file works the same way). Unknown keys are errors that name the key.

use serde::{Deserialize, Serialize};
use sslinv_datasets::synth3d::Synth3dConfig;
use std::path::Path;

use crate::error::{Result, StudyError};

/// The presets shipped with the crate, by name.
pub const BUILTIN: [(&str, &str); 6] = [
    ("demo", include_str!("../presets/demo.toml")),
    ("demo-quick", include_str!("../presets/demo-quick.toml")),
    ("demo-long", include_str!("../presets/demo-long.toml")),
    ("smoke", include_str!("../presets/smoke.toml")),
    ("quick", include_str!("../presets/quick.toml")),
    ("paper", include_str!("../presets/paper.toml")),
];

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

/// Sizes of the rendered synth3d splits: the renderer's own config, so a preset names exactly
/// the fields (and no others) that the cache key is made of.
pub type Synth3dPreset = Synth3dConfig;

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
    /// A built-in preset by name, or a TOML file by path.
    pub fn load(name_or_path: &str) -> Result<Preset> {
        if let Some((_, text)) = BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
            return Self::parse(text, &format!("built-in preset `{name_or_path}`"));
        }
        let path = Path::new(name_or_path);
        if path.extension().is_some_and(|e| e == "toml") || path.exists() {
            let text = std::fs::read_to_string(path).map_err(|source| StudyError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            return Self::parse(&text, &path.display().to_string());
        }
        let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
        Err(StudyError::Preset {
            origin: name_or_path.to_string(),
            message: format!(
                "no such preset (built in: {}; or a .toml file)",
                names.join(", ")
            ),
        })
    }

    /// Parses a preset from TOML text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Preset> {
        let preset: Preset = toml::from_str(text).map_err(|e| StudyError::Preset {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        preset.validate().map_err(|message| StudyError::Preset {
            origin: origin.to_string(),
            message,
        })?;
        Ok(preset)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let p = &self.pretrain;
        if p.batch_size == 0 || p.image_size == 0 || p.epochs == 0 {
            return Err("pretrain: batch_size, image_size and epochs must be positive".into());
        }
        if !(p.width_mult > 0.0 && p.width_mult.is_finite()) {
            return Err(format!(
                "pretrain.width_mult = {}: must be positive",
                p.width_mult
            ));
        }
        let inv = &self.invariance;
        if inv.batch == 0 || inv.stats_images < 2 {
            return Err("invariance: batch must be positive and stats_images at least 2".into());
        }
        if inv.k == Some(0) {
            return Err("invariance.k = 0: a sweep needs at least one setting".into());
        }
        if self.probe.folds < 2 {
            return Err(format!("probe.folds = {}: at least 2", self.probe.folds));
        }
        if !(0.05..=0.5).contains(&self.fusion.val_share) {
            return Err(format!(
                "fusion.val_share = {}: between 0.05 and 0.5",
                self.fusion.val_share
            ));
        }
        if let Some(ts) = &inv.transforms {
            for t in ts {
                t.parse::<sslinv_augment::Transform>()
                    .map_err(|e| format!("invariance.transforms: `{t}`: {e}"))?;
            }
        }
        if !["default", "corrected", "paper-code"].contains(&self.protocol.as_str()) {
            return Err(format!(
                "protocol = `{}`: expected `default` or `paper-code`",
                self.protocol
            ));
        }
        let mut names: Vec<&str> = self.models.iter().map(|m| m.name.as_str()).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err("models: names must be unique".into());
        }
        if let Some(bad) = self
            .models
            .iter()
            .find(|m| m.name.is_empty() || m.name.contains(['+', '/', '\\']))
        {
            return Err(format!(
                "models: `{}` is not a plain name (no `+` or `/`)",
                bad.name
            ));
        }
        Ok(())
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_protocol_selects_the_paper_codes_quirks() {
        let mut p = Preset::load("smoke").unwrap();
        assert_eq!(p.fidelity(), sslinv_augment::Protocol::Corrected);
        p.protocol = "paper-code".into();
        assert_eq!(p.fidelity(), sslinv_augment::Protocol::PaperCode);
        assert!(p.fidelity().ridge_alpha_is_inverse());
    }

    #[test]
    fn every_builtin_parses() {
        for (name, _) in BUILTIN {
            let p = Preset::load(name).unwrap();
            assert_eq!(p.name, name);
        }
    }

    #[test]
    fn unknown_keys_and_wrong_types_name_the_key() {
        let text = BUILTIN[0].1.replace("folds = ", "foldz = ");
        let e = Preset::parse(&text, "mine.toml").unwrap_err().to_string();
        assert!(e.contains("foldz") && e.contains("mine.toml"), "{e}");
        let text = BUILTIN[0]
            .1
            .replace("stats_images = ", "stats_images = \"many\" #");
        let e = Preset::parse(&text, "mine.toml").unwrap_err().to_string();
        assert!(e.contains("stats_images"), "{e}");
    }

    #[test]
    fn unknown_names_list_the_valid_ones() {
        let e = Preset::load("nope").unwrap_err().to_string();
        assert!(e.contains("demo") && e.contains("smoke"), "{e}");
    }
}
