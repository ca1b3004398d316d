//! What to pretrain and how: objective, policy, architecture, hyper-parameters.

use candle_core::Device;
use serde::{Deserialize, Serialize};
use sslinv_datasets::stream::BadFiles;

use crate::{ObjectivesError, Result};

/// The self-supervised objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// MoCo v2: momentum key encoder, queue of negatives, InfoNCE.
    MocoV2,
    /// SimCLR: NT-Xent over the two views of the batch.
    Simclr,
    /// BYOL: predictor regressing an EMA target's projection.
    Byol,
    /// Barlow Twins: cross-correlation towards the identity.
    Barlow,
    /// The supervised baseline: cross-entropy on class labels through a linear head.
    Supervised,
}

impl Objective {
    /// The command-line name (`moco-v2`, `simclr`, `byol`, `barlow`, `supervised`).
    pub fn name(self) -> &'static str {
        match self {
            Objective::MocoV2 => "moco-v2",
            Objective::Simclr => "simclr",
            Objective::Byol => "byol",
            Objective::Barlow => "barlow",
            Objective::Supervised => "supervised",
        }
    }
}

impl std::str::FromStr for Objective {
    type Err = ObjectivesError;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "moco-v2" | "mocov2" | "moco" => Ok(Objective::MocoV2),
            "simclr" => Ok(Objective::Simclr),
            "byol" => Ok(Objective::Byol),
            "barlow" | "barlow-twins" | "barlowtwins" => Ok(Objective::Barlow),
            "supervised" => Ok(Objective::Supervised),
            other => Err(ObjectivesError::Config(format!(
                "unknown objective `{other}` (moco-v2, simclr, byol, barlow, supervised)"
            ))),
        }
    }
}

/// Every hyper-parameter of a run (stored in the checkpoint JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hyper {
    /// Learning rate at batch 256; the run uses `lr x batch / 256`.
    pub lr: f64,
    /// SGD momentum.
    pub momentum: f64,
    /// L2 weight decay (applied to every parameter, as the papers' SGD).
    pub weight_decay: f64,
    /// LARS trust coefficient (0: plain SGD, as MoCo v2).
    pub lars_eta: f64,
    /// Linear warm-up length in epochs (capped at a tenth of the run).
    pub warmup_epochs: f64,
    /// Softmax temperature (MoCo v2, SimCLR).
    pub temperature: f64,
    /// Number of queued negative keys K (MoCo v2).
    pub queue_size: usize,
    /// Key-encoder momentum m (MoCo v2).
    pub key_momentum: f64,
    /// Sub-batches for the shuffle-BN emulation (MoCo v2); 0 picks batch / 32 within [2, 8].
    pub bn_splits: usize,
    /// Base EMA rate tau of the target network (BYOL), raised to 1 by a cosine.
    pub target_momentum: f64,
    /// Off-diagonal weight (Barlow Twins).
    pub barlow_lambda: f64,
    /// Projector hidden width; 0 scales it with the backbone dimension D.
    pub head_hidden: usize,
    /// Projector output width; 0 scales it with D.
    pub head_out: usize,
}

impl Hyper {
    /// The published settings of each method (MoCo v2: Chen et al. 2020, SGD; SimCLR: Chen et
    /// al. 2020, LARS; BYOL: Grill et al. 2020, LARS; Barlow Twins: Zbontar et al. 2021, LARS,
    /// one learning rate for weights and biases where the paper uses 0.0048 for biases).
    pub fn published(objective: Objective) -> Hyper {
        let base = Hyper {
            lr: 0.03,
            momentum: 0.9,
            weight_decay: 1e-4,
            lars_eta: 0.0,
            warmup_epochs: 0.0,
            temperature: 0.2,
            queue_size: 65536,
            key_momentum: 0.999,
            bn_splits: 0,
            target_momentum: 0.996,
            barlow_lambda: crate::BARLOW_LAMBDA,
            head_hidden: 0,
            head_out: 0,
        };
        match objective {
            Objective::MocoV2 => base,
            Objective::Simclr => Hyper {
                lr: 0.3,
                weight_decay: 1e-6,
                lars_eta: 0.001,
                warmup_epochs: 10.0,
                temperature: 0.1,
                ..base
            },
            Objective::Byol | Objective::Barlow => Hyper {
                lr: 0.2,
                weight_decay: 1.5e-6,
                lars_eta: 0.001,
                warmup_epochs: 10.0,
                ..base
            },
            // torchvision's ResNet recipe: SGD, lr 0.1 at batch 256, weight decay 1e-4.
            Objective::Supervised => Hyper { lr: 0.1, ..base },
        }
    }

    /// Projector `[D, hidden, out]` for backbone dimension `dim`: at D = 2048 this is MoCo v2's
    /// 2048-2048-128 (SimCLR the same with BN), BYOL's 4096-256 and Barlow Twins' 8192-8192-8192;
    /// the widths scale with D (6144 -> 384 outputs for a 3x ResNet-50).
    pub fn projector_dims(&self, objective: Objective, dim: usize) -> Vec<usize> {
        let small = |paper: usize, ratio: usize| (dim / ratio).max(paper.min(dim));
        let pick = |set: usize, default: usize| if set > 0 { set } else { default };
        match objective {
            Objective::MocoV2 | Objective::Simclr => {
                vec![
                    dim,
                    pick(self.head_hidden, dim),
                    pick(self.head_out, small(128, 16)),
                ]
            }
            Objective::Byol => vec![
                dim,
                pick(self.head_hidden, 2 * dim),
                pick(self.head_out, small(256, 8)),
            ],
            Objective::Barlow => {
                let h = pick(self.head_hidden, 4 * dim);
                vec![dim, h, h, pick(self.head_out, 4 * dim)]
            }
            // No projector: the linear classifier's width comes from the labels.
            Objective::Supervised => vec![dim],
        }
    }
}

fn cpu() -> Device {
    Device::Cpu
}

/// A pretraining run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PretrainConfig {
    /// File stem of the checkpoint (`<name>.safetensors`, `<name>.json`).
    pub name: String,
    /// The objective.
    pub objective: Objective,
    /// Augmentation policy: `default`, `ventral`, `dorsal` or a comma list of steps.
    pub policy: String,
    /// Backbone architecture (`resnet18`, `resnet50`, ...).
    pub arch: String,
    /// Width multiplier of the backbone (1.0 = torchvision).
    pub width_mult: f64,
    /// Stem: `imagenet` (7x7/2 + max-pool) or `cifar` (3x3/1).
    pub stem: String,
    /// Side of the square training views in pixels.
    pub image_size: u32,
    /// Number of passes over the images.
    pub epochs: usize,
    /// Images per step (each gives two views).
    pub batch_size: usize,
    /// Seed of initialisation, data order, augmentation and the queue.
    pub seed: u64,
    /// Hyper-parameters.
    pub hyper: Hyper,
    /// Write a checkpoint every this many steps (0: only at the end).
    pub checkpoint_every: u64,
    /// Batches prepared ahead of the compute (bounded queue).
    pub prefetch: usize,
    /// Stop after this many optimiser steps in total (for short runs and resume tests).
    pub max_steps: Option<u64>,
    /// Unreadable images: stop naming the file, or skip them (counted in the report).
    #[serde(default)]
    pub bad_files: BadFiles,
    /// Continue from the checkpoint in the output folder when there is one (not stored).
    #[serde(skip)]
    pub resume: bool,
    /// Device to train on (not stored).
    #[serde(skip, default = "cpu")]
    pub device: Device,
}

impl PretrainConfig {
    /// A run with the objective's published hyper-parameters on a torchvision ResNet.
    pub fn new(objective: Objective, policy: &str, arch: &str) -> PretrainConfig {
        PretrainConfig {
            name: "model".into(),
            objective,
            policy: policy.into(),
            arch: arch.into(),
            width_mult: 1.0,
            stem: "imagenet".into(),
            image_size: 224,
            epochs: 200,
            batch_size: 256,
            seed: 0,
            hyper: Hyper::published(objective),
            checkpoint_every: 0,
            prefetch: 2,
            max_steps: None,
            bad_files: BadFiles::Fail,
            resume: false,
            device: Device::Cpu,
        }
    }

    /// A small CPU run: ResNet-18 at width 0.25 with the CIFAR stem on 64 px views, batch 64,
    /// a 1024-key queue (the paper's K is far larger than such a data set).
    pub fn small(objective: Objective, policy: &str, epochs: usize) -> PretrainConfig {
        let mut cfg = PretrainConfig::new(objective, policy, "resnet18");
        cfg.width_mult = 0.25;
        cfg.stem = "cifar".into();
        cfg.image_size = 64;
        cfg.epochs = epochs;
        cfg.batch_size = 64;
        cfg.hyper.queue_size = 1024;
        cfg
    }

    /// The number of shuffle-BN sub-batches actually used.
    pub fn bn_splits(&self) -> usize {
        let s = if self.hyper.bn_splits > 0 {
            self.hyper.bn_splits
        } else {
            (self.batch_size / 32).clamp(2, 8)
        };
        s.min(self.batch_size.max(1))
    }

    /// The shuffle-BN sub-batches of each rank of a `world`-rank run: [`Self::bn_splits`] counts
    /// the global batch's sub-batches, so a run over W ranks computes what one process computes
    /// with the same global batch and `bn_splits`. Left at 0 (automatic), the count is rounded
    /// up to a multiple of W; given, it must be one, and the batch must split evenly.
    pub fn rank_bn_splits(&self, world: usize) -> Result<usize> {
        let world = world.max(1);
        if world == 1 {
            return Ok(self.bn_splits());
        }
        let bad = |m: String| Err(ObjectivesError::Config(m));
        if !self.batch_size.is_multiple_of(world) {
            return bad(format!(
                "batch size {} does not split over {world} ranks",
                self.batch_size
            ));
        }
        let total = if self.hyper.bn_splits == 0 {
            self.bn_splits().div_ceil(world) * world
        } else {
            self.hyper.bn_splits
        };
        if !total.is_multiple_of(world) || total > self.batch_size {
            return bad(format!(
                "bn_splits {total} is not a multiple of the {world} ranks (or exceeds the batch {})",
                self.batch_size
            ));
        }
        Ok(total / world)
    }

    /// Checks values before any work starts.
    pub fn validate(&self, n_images: usize) -> Result<()> {
        let bad = |m: String| Err(ObjectivesError::Config(m));
        if self.batch_size < 2 {
            return bad(format!("batch size {} (needs >= 2)", self.batch_size));
        }
        if n_images < self.batch_size {
            return bad(format!(
                "{n_images} images for batch size {}",
                self.batch_size
            ));
        }
        if self.epochs == 0 {
            return bad("0 epochs".into());
        }
        if !(self.width_mult > 0.0 && self.width_mult.is_finite()) {
            return bad(format!(
                "width multiplier {} (needs a positive number)",
                self.width_mult
            ));
        }
        if self.image_size < 8 {
            return bad(format!("image size {}", self.image_size));
        }
        if self.name.is_empty() || self.name.contains(['/', '\\']) {
            return bad(format!("checkpoint name `{}`", self.name));
        }
        if self.objective == Objective::MocoV2 && self.hyper.queue_size < self.batch_size {
            return bad(format!(
                "queue of {} keys for batch {}",
                self.hyper.queue_size, self.batch_size
            ));
        }
        Ok(())
    }
}
