//! A ViT through the command line's stages: `features`, `invariance synthetic` and
//! `downstream --dataset folder` take a `VIT_ARCH[.TAG]:PATH` spec like any ResNet one.

mod common;

use common::write_image;
use std::path::Path;
use std::process::Command;

use candle_core::{Device, Tensor};
use sslinv_encoders::vit::ViTConfig;

/// Seeded small weights for every tensor of `cfg` (timm names and shapes), unit LayerNorms.
fn write_weights(cfg: &ViTConfig, path: &Path) {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    };
    let tensors: std::collections::HashMap<String, Tensor> = cfg
        .param_shapes()
        .into_iter()
        .map(|(name, shape)| {
            let n: usize = shape.iter().product();
            let norm_weight = name.contains("norm") && name.ends_with("weight");
            let values: Vec<f32> = (0..n)
                .map(|_| if norm_weight { 1.0 } else { 0.04 * next() })
                .collect();
            (name, Tensor::from_vec(values, shape, &Device::Cpu).unwrap())
        })
        .collect();
    candle_core::safetensors::save(&tensors, path).unwrap();
}

fn xtask(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "xtask {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_vit_spec_runs_through_features_invariance_and_downstream() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cfg = ViTConfig::timm("vit_tiny_patch16_224").unwrap();
    let weights = d.join("tiny.safetensors");
    write_weights(&cfg, &weights);
    let spec = format!("vit_tiny_patch16_224:{}", weights.display());
    for c in 0..3 {
        for i in 0..6 {
            write_image(&d.join(format!("folder/train/c{c}/{i}.png")), c, i);
            write_image(&d.join(format!("folder/test/c{c}/{i}.png")), c, i + 10);
        }
    }
    let s = |p: &Path| p.to_str().unwrap().to_string();

    // Features: one 192-d row per image (ViT-Ti's width), position grid resampled to 2x2.
    let feats = d.join("f.safetensors");
    let images = d.join("folder/train");
    xtask(&[
        "features",
        "--model",
        &spec,
        "--images",
        &s(&images),
        "--out",
        &s(&feats),
        "--resize",
        "32",
        "--crop",
        "32",
    ]);
    let t = candle_core::safetensors::load(&feats, &Device::Cpu).unwrap();
    let f = t
        .values()
        .find(|v| v.rank() == 2)
        .expect("a 2-d feature tensor");
    assert_eq!(f.dims(), &[18, 192]);

    // `--pool cls+mean --layers 4`: DINO's linear-evaluation readout, 4 x 2 x 192 wide.
    let wide = d.join("wide.safetensors");
    xtask(&[
        "features",
        "--model",
        &spec,
        "--images",
        &s(&images),
        "--out",
        &s(&wide),
        "--resize",
        "32",
        "--crop",
        "32",
        "--pool",
        "cls+mean",
        "--layers",
        "4",
    ]);
    let t = candle_core::safetensors::load(&wide, &Device::Cpu).unwrap();
    let f = t
        .values()
        .find(|v| v.rank() == 2)
        .expect("a 2-d feature tensor");
    assert_eq!(f.dims(), &[18, 4 * 2 * 192]);

    // Synthetic invariance of the ViT to rotation.
    let inv = d.join("rotation.json");
    xtask(&[
        "invariance",
        "synthetic",
        "--model",
        &spec,
        "--transform",
        "rotation",
        "--images",
        &s(&images),
        "--k",
        "4",
        "--resize",
        "32",
        "--crop",
        "32",
        "--out",
        &s(&inv),
    ]);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&inv).unwrap()).unwrap();
    let sim = v["mean_similarity"].as_f64().unwrap();
    assert!(sim.is_finite() && (-1.0..=1.0).contains(&sim), "{v}");

    // Downstream on an image folder, and a ResNet + ViT fusion.
    for (model, name) in [
        (spec.clone(), "vit"),
        (
            format!("random:resnet18:seed=0:width=0.125:stem=cifar+{spec}"),
            "fused",
        ),
    ] {
        let out = d.join(format!("{name}.json"));
        xtask(&[
            "downstream",
            "--model",
            &model,
            "--dataset",
            "folder",
            "--root",
            &s(&d.join("folder")),
            "--resize",
            "32",
            "--crop",
            "32",
            "--folds",
            "2",
            "--out",
            &s(&out),
        ]);
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        let score = v["test_score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score), "{v}");
    }
}
