//! Stage 1: pretrain one MoCo v2 ResNet per policy on synth3d's unlabelled images.

use super::plan::{POLICIES, Plan};
use crate::study::ModelInfo;
use anyhow::Context;
use image::RgbImage;
use sslinv_objectives::resnet::{ResNetBackbone, pretrain};
use sslinv_objectives::{Objective, PretrainConfig};
use std::path::Path;

/// A pretrained model of the demo.
pub struct Model {
    /// Policy name, also the model's name.
    pub name: String,
    /// The trained backbone (an `Encoder`).
    pub backbone: ResNetBackbone,
    /// What the report says about it.
    pub info: ModelInfo,
}

/// Pretrains Default, Ventral and Dorsal models, writing checkpoints under `dir`.
pub fn pretrain_all(plan: &Plan, images: &[RgbImage], dir: &Path) -> anyhow::Result<Vec<Model>> {
    POLICIES
        .iter()
        .map(|policy| {
            let mut cfg = PretrainConfig::small(Objective::MocoV2, policy, plan.epochs);
            cfg.name = policy.to_string();
            cfg.width_mult = plan.width_mult;
            cfg.image_size = plan.input_size;
            cfg.hyper.lr = plan.base_lr;
            cfg.max_steps = plan.max_steps;
            cfg.batch_size = plan.batch_size;
            cfg.hyper.queue_size = plan.queue;
            cfg.seed = plan.seed;
            println!(
                "pretraining `{policy}` (MoCo v2, ResNet-18 x{}, {} images)",
                plan.width_mult,
                images.len()
            );
            let trained = pretrain(&cfg, images, dir, true)
                .with_context(|| format!("pretraining the `{policy}` model"))?;
            let tail = |f: fn(&sslinv_objectives::StepLog) -> f32| {
                let h = &trained.report.history;
                let t = &h[h.len().saturating_sub(10)..];
                (!t.is_empty()).then(|| t.iter().map(f).sum::<f32>() as f64 / t.len() as f64)
            };
            let info = ModelInfo {
                name: policy.to_string(),
                description: format!(
                    "MoCo v2, {policy} policy, ResNet-18 x{} (CIFAR stem), {} px, {} epochs, base lr {}",
                    plan.width_mult, plan.input_size, plan.epochs, plan.base_lr
                ),
                dim: sslinv_encoders::Encoder::dim(&trained.backbone),
                pretrain_seconds: trained.report.seconds,
                final_loss: tail(|s| s.loss),
                final_accuracy: tail(|s| s.accuracy),
            };
            Ok(Model {
                name: policy.to_string(),
                backbone: trained.backbone,
                info,
            })
        })
        .collect()
}
