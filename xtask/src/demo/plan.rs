//! How big each stage of the demo is, for the full and the `--quick` run.

use sslinv_augment::Transform;
use sslinv_datasets::synth3d::Synth3dConfig;

/// The demo's sizes.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The synth3d data.
    pub data: Synth3dConfig,
    /// Side of the images the encoders see (synth3d renders at `data.size`, views are resized).
    pub input_size: u32,
    /// Base learning rate (scaled by batch / 256): higher than MoCo's 0.03 because the demo
    /// trains for minutes, not 200 epochs.
    pub base_lr: f64,
    /// Pretraining epochs over the pretraining images.
    pub epochs: usize,
    /// Cap on optimiser steps per model, so the demo keeps its time budget.
    pub max_steps: Option<u64>,
    /// Pretraining batch size.
    pub batch_size: usize,
    /// MoCo queue length.
    pub queue: usize,
    /// Backbone width multiplier (ResNet-18, CIFAR stem).
    pub width_mult: f64,
    /// Images whose features give the whitening statistics.
    pub stats_images: usize,
    /// Images swept per transform.
    pub sweep_images: usize,
    /// Settings per sweep (binary transforms keep their 2).
    pub k: usize,
    /// Cross-validation folds of the probes.
    pub folds: usize,
    /// Seed of everything.
    pub seed: u64,
}

impl Plan {
    /// The full demo (<= 10 minutes on 2 cores) or the quick one (<= 2 minutes).
    pub fn new(quick: bool) -> Self {
        if quick {
            Self {
                data: Synth3dConfig::quick(),
                input_size: 32,
                base_lr: 0.12,
                epochs: 2,
                max_steps: None,
                batch_size: 64,
                queue: 256,
                width_mult: 0.25,
                stats_images: 240,
                sweep_images: 8,
                k: 6,
                folds: 3,
                seed: 0,
            }
        } else {
            Self {
                data: Synth3dConfig::demo(),
                input_size: 32,
                base_lr: 0.12,
                epochs: 1,
                max_steps: Some(120),
                batch_size: 64,
                queue: 1024,
                width_mult: 0.25,
                stats_images: 2000,
                sweep_images: 48,
                k: 12,
                folds: 5,
                seed: 0,
            }
        }
    }
}

/// The demo's transforms and their family, as the paper groups them.
pub const TRANSFORMS: [(Transform, &str); 11] = [
    (Transform::Rotation, "spatial"),
    (Transform::Translation, "spatial"),
    (Transform::Scale, "spatial"),
    (Transform::ResizedCrop, "spatial"),
    (Transform::HFlip, "spatial"),
    (Transform::Brightness, "appearance"),
    (Transform::Contrast, "appearance"),
    (Transform::Saturation, "appearance"),
    (Transform::Hue, "appearance"),
    (Transform::Grayscale, "appearance"),
    (Transform::Blur, "appearance"),
];

/// The pretraining policies, in report order.
pub const POLICIES: [&str; 3] = ["default", "ventral", "dorsal"];
