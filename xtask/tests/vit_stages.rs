//! A ViT through the command line's stages: `features`, `invariance synthetic` and
//! `downstream --dataset folder` take a `VIT_ARCH[.TAG]:PATH` spec like any ResNet one.

mod common;

use common::write_image;
use sslinv_testkit::cli;
use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use candle_core::Device;
use sslinv_encoders::vit::{ViTConfig, random_vit_weights};

fn xtask(args: &[OsString]) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "xtask {:?}: {}",
        args,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The shape of the 2-d feature tensor in a features file.
fn feature_dims(path: &Path) -> Vec<usize> {
    let t = candle_core::safetensors::load(path, &Device::Cpu).unwrap();
    let f = t.values().find(|v| v.rank() == 2);
    f.expect("a 2-d feature tensor").dims().to_vec()
}

#[test]
fn a_vit_spec_runs_through_features_invariance_and_downstream() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cfg = ViTConfig::timm("vit_tiny_patch16_224").unwrap();
    let weights = d.join("tiny.safetensors");
    let tensors = random_vit_weights(&cfg, 0, &Device::Cpu).unwrap();
    candle_core::safetensors::save(&tensors, &weights).unwrap();
    let spec = format!("vit_tiny_patch16_224:{}", weights.display());
    for c in 0..3 {
        for i in 0..6 {
            write_image(&d.join(format!("folder/train/c{c}/{i}.png")), c, i);
            write_image(&d.join(format!("folder/test/c{c}/{i}.png")), c, i + 10);
        }
    }

    // Features: one 192-d row per image (ViT-Ti's width), position grid resampled to 2x2.
    let feats = d.join("f.safetensors");
    let images = d.join("folder/train");
    xtask(&cli!(
        "features --model {} --images {} --out {} --resize 32 --crop 32",
        &spec,
        &images,
        &feats
    ));
    assert_eq!(feature_dims(&feats), [18, 192]);

    // `--pool cls+mean --layers 4`: DINO's linear-evaluation readout, 4 x 2 x 192 wide.
    let wide = d.join("wide.safetensors");
    xtask(&cli!(
        "features --model {} --images {} --out {} --resize 32 --crop 32 --pool cls+mean --layers 4",
        &spec,
        &images,
        &wide
    ));
    assert_eq!(feature_dims(&wide), [18, 4 * 2 * 192]);

    // Synthetic invariance of the ViT to rotation.
    let inv = d.join("rotation.json");
    xtask(&cli!(
        "invariance synthetic --model {} --transform rotation --images {} --k 4 --resize 32 --crop 32 --out {}",
        &spec,
        &images,
        &inv
    ));
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
        xtask(&cli!(
            "downstream --model {} --dataset folder --root {} --resize 32 --crop 32 --folds 2 --out {}",
            &model,
            &d.join("folder"),
            &out
        ));
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        let score = v["test_score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score), "{v}");
    }
}
