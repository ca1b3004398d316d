//! The ViT weight formula of scripts/reference/vit.py (`vit_value`), reproduced exactly.
#![allow(dead_code)]

use super::{hashed, weights_by};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use sslinv_encoders::vit::{GlobalPool, ViTConfig, VisionTransformer};
use std::collections::HashMap;

/// The value the Python script gives every element of timm tensor `name`.
pub fn vit_value(name: &str, shape: &[usize]) -> Vec<f32> {
    hashed(name, shape, |u| {
        if matches!(name, "cls_token" | "reg_token" | "pos_embed") {
            2.0 * (u - 0.5)
        } else if shape.len() == 4 {
            (u - 0.5) * (12.0 / (shape[1] * shape[2] * shape[3]) as f64).sqrt()
        } else if shape.len() == 2 {
            (u - 0.5) * (12.0 / shape[1] as f64).sqrt()
        } else if name.ends_with(".gamma") {
            0.5 + 0.5 * u
        } else if name.ends_with(".bias") {
            0.2 * (u - 0.5)
        } else {
            0.75 + 0.5 * u
        }
    })
}

/// Formula weights for every tensor of `cfg`.
pub fn vit_weights(cfg: &ViTConfig) -> HashMap<String, Tensor> {
    weights_by(cfg.param_shapes(), vit_value)
}

/// A formula-weight model of `cfg`.
pub fn formula_vit(cfg: &ViTConfig) -> VisionTransformer {
    let vb = VarBuilder::from_tensors(vit_weights(cfg), DType::F32, &Device::Cpu);
    VisionTransformer::new(cfg, vb).unwrap()
}

/// The reduced models of the fixture script, by case name.
pub fn tiny_config(case: &str) -> ViTConfig {
    let arch = match case {
        "tiny_plain" | "tiny_avg" => "vit_small_patch16_224",
        "tiny_dinov2" => "vit_small_patch14_dinov2",
        "tiny_reg4" => "vit_small_patch14_reg4_dinov2",
        "tiny_clip" => "vit_base_patch16_clip_224",
        "tiny_clip_quickgelu" => "vit_base_patch16_clip_quickgelu_224",
        other => panic!("no tiny case {other}"),
    };
    let mut cfg = ViTConfig::timm(arch).unwrap().resized(32, 2, 2);
    if case == "tiny_avg" {
        cfg.global_pool = GlobalPool::Avg;
    }
    cfg
}

/// Every reduced case of the fixture script.
pub const TINY_CASES: [&str; 6] = [
    "tiny_plain",
    "tiny_avg",
    "tiny_dinov2",
    "tiny_reg4",
    "tiny_clip",
    "tiny_clip_quickgelu",
];
