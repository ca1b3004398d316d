//! Hub and registry loading against a cache folder built here (no network), and the fast
//! offline failure naming the repo. One test: it sets process-wide environment variables.

mod common;

use candle_core::Device;
use candle_core::{DType, Tensor};
use common::fixture;
use sslinv_encoders::load::load_model;
use sslinv_encoders::{Encoder, ModelSpec, ViTConfig, load_encoder};
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

fn put_in_cache(home: &Path, repo: &str, file: &str, from: &Path) {
    let dir = home
        .join("hub")
        .join(format!("models--{}", repo.replace('/', "--")));
    let commit = "0123456789abcdef0123456789abcdef01234567";
    std::fs::create_dir_all(dir.join("refs")).unwrap();
    std::fs::write(dir.join("refs/main"), commit).unwrap();
    let snap = dir.join("snapshots").join(commit);
    std::fs::create_dir_all(&snap).unwrap();
    std::fs::copy(from, snap.join(file)).unwrap();
}

#[test]
fn hub_specs_use_the_cache_and_fail_fast_offline() {
    let home = tempfile::tempdir().unwrap();
    put_in_cache(
        home.path(),
        "someone/narrow",
        "model.safetensors",
        &fixture("narrow_r18_hf.safetensors"),
    );
    put_in_cache(
        home.path(),
        "timm/resnet18.tv_in1k",
        "model.safetensors",
        &fixture("narrow_r18_hf.safetensors"),
    );
    // SAFETY: this test binary has a single test, so no other thread reads the environment.
    unsafe {
        std::env::set_var("HF_HOME", home.path());
        std::env::set_var("HF_HUB_OFFLINE", "1");
    }
    let enc = load_encoder("hf:someone/narrow:model.safetensors", &Device::Cpu).unwrap();
    assert_eq!(enc.dim(), 32);
    let enc = load_encoder("torchvision/resnet18", &Device::Cpu).unwrap();
    assert_eq!(enc.dim(), 32);
    // The registry's arch is enforced: resnet50's repo holding a ResNet-18 is an error.
    put_in_cache(
        home.path(),
        "timm/resnet50.tv_in1k",
        "model.safetensors",
        &fixture("narrow_r18_hf.safetensors"),
    );
    let err = load_encoder("torchvision/resnet50", &Device::Cpu)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("resnet50 was asked"), "{err}");

    registry_vits_load_through_the_cache_with_their_own_preprocessing(home.path());

    let start = Instant::now();
    let err = load_encoder("dino/resnet50", &Device::Cpu)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("Ramos-Ramos/dino-resnet-50") && err.contains("HF_HUB_OFFLINE"),
        "{err}"
    );
    // Online but unreachable: still fast, still naming the repo.
    unsafe {
        std::env::remove_var("HF_HUB_OFFLINE");
        std::env::set_var("HF_ENDPOINT", "http://127.0.0.1:9");
    }
    let err = load_encoder("hf:nobody/missing:model.safetensors", &Device::Cpu)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("nobody/missing"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(10));
}

/// A timm-layout ViT-S/16 checkpoint (deterministic values, not an initialisation) at `path`.
fn write_vit_small(path: &Path) {
    let cfg = ViTConfig::timm("vit_small_patch16_224").unwrap();
    let tensors: HashMap<String, Tensor> = cfg
        .param_shapes()
        .into_iter()
        .enumerate()
        .map(|(i, (name, shape))| {
            let n: usize = shape.iter().product();
            let data: Vec<f32> = (0..n)
                .map(|j| ((j * 31 + i * 7) % 97) as f32 / 97.0 * 0.04 - 0.02)
                .collect();
            (name, Tensor::from_vec(data, shape, &Device::Cpu).unwrap())
        })
        .collect();
    candle_core::safetensors::save(&tensors, path).unwrap();
}

fn registry_vits_load_through_the_cache_with_their_own_preprocessing(home: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let weights = dir.path().join("model.safetensors");
    write_vit_small(&weights);
    put_in_cache(
        home,
        "timm/vit_small_patch16_224.dino",
        "model.safetensors",
        &weights,
    );

    let spec = ModelSpec::parse("dino/vit_small_patch16@cls@last4").unwrap();
    assert_eq!(spec.to_string(), "dino/vit_small_patch16@cls@last4");
    let model = load_model(&spec, &Device::Cpu).unwrap();
    assert_eq!(model.encoder.dim(), 4 * 384);
    // timm's pretrained config of `.dino`: crop_pct 0.9 -> resize 248, crop 224, bicubic.
    let p = &model.preprocess;
    assert_eq!((p.resize, p.crop), (Some(248), Some(224)));
    assert_eq!(p.mean, [0.485, 0.456, 0.406]);
    let x = Tensor::zeros((1, 3, 224, 224), DType::F32, &Device::Cpu).unwrap();
    let f = model.encoder.features(&x).unwrap();
    assert_eq!(f.dims(), &[1, 4 * 384]);

    // --pool / --layers reach registry ViTs; readouts on a ResNet entry are refused.
    let plain = ModelSpec::parse("dino/vit_small_patch16").unwrap();
    let mean = plain.with_readout(Some(sslinv_encoders::Pool::Mean), None);
    assert_eq!(mean.to_string(), "dino/vit_small_patch16@mean");
    assert!(mean.has_vit() && !ModelSpec::parse("torchvision/resnet18").unwrap().has_vit());
    let err = ModelSpec::parse("torchvision/resnet18@cls")
        .unwrap_err()
        .to_string();
    assert!(err.contains("ViTs only"), "{err}");

    // A registry ViT whose cached file holds another architecture is an error naming both.
    put_in_cache(
        home,
        "timm/vit_base_patch16_224.dino",
        "model.safetensors",
        &weights,
    );
    let err = load_encoder("dino/vit_base_patch16", &Device::Cpu)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("vit_base_patch16_224"), "{err}");
}
