//! Checkpoint formats and key remaps on small real `torch.save` outputs, and the errors for
//! checkpoints that do not fit.

mod common;

use candle_core::{Device, Tensor};
use common::{fixture, formula, formula_weights};
use sslinv_encoders::load::load_state;
use sslinv_encoders::{Arch, Encoder, KeyRemap, ResNetConfig, Stem, load_encoder};
use std::collections::HashMap;

fn assert_formula(tensors: &HashMap<String, Tensor>, config: &ResNetConfig) {
    let shapes = config.param_shapes();
    assert_eq!(tensors.len(), shapes.len());
    for (name, shape) in shapes {
        let got = tensors[&name]
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        assert_eq!(got, formula(&name, &shape), "{name}");
    }
}

fn narrow18() -> ResNetConfig {
    ResNetConfig {
        arch: Arch::ResNet18,
        width_mult: 1.0 / 16.0,
        stem: Stem::ImageNet,
    }
}

/// Loads `file` and checks the configuration it implies and every tensor's values.
fn assert_loads(file: &str, arch: Option<Arch>, remap: KeyRemap, want: ResNetConfig) {
    let (config, tensors) = load_state(&fixture(file), arch, remap, &Device::Cpu).unwrap();
    assert_eq!(config, want, "{file}");
    assert_formula(&tensors, &config);
}

#[test]
fn reads_a_torch_save_state_dict() {
    assert_loads(
        "narrow_r18.pth",
        Some(Arch::ResNet18),
        KeyRemap::Auto,
        narrow18(),
    );
}

#[test]
fn reads_a_moco_checkpoint_keeping_only_the_query_encoder() {
    for remap in [KeyRemap::Auto, KeyRemap::EncoderQ] {
        assert_loads("narrow_r18_moco.pth.tar", None, remap, narrow18());
    }
}

#[test]
fn reads_hf_resnet_model_names() {
    assert_loads(
        "narrow_r18_hf.safetensors",
        None,
        KeyRemap::Auto,
        narrow18(),
    );
    let narrow50 = ResNetConfig {
        arch: Arch::ResNet50,
        width_mult: 1.0 / 32.0,
        stem: Stem::ImageNet,
    };
    let file = "narrow_r50_hf.safetensors";
    assert_loads(file, Some(Arch::ResNet50), KeyRemap::HfResNet, narrow50);
}

#[test]
fn every_format_gives_the_same_features() {
    let x = Tensor::rand(-1f32, 1f32, (2, 3, 64, 64), &Device::Cpu).unwrap();
    let specs = [
        format!("resnet18:{}", fixture("narrow_r18.pth").display()),
        fixture("narrow_r18_moco.pth.tar").display().to_string(),
        fixture("narrow_r18_hf.safetensors").display().to_string(),
    ];
    let feats: Vec<Tensor> = specs
        .iter()
        .map(|s| load_encoder(s, &Device::Cpu).unwrap().features(&x).unwrap())
        .collect();
    assert_eq!(feats[0].dims(), &[2, 32]);
    for f in &feats[1..] {
        assert_eq!(
            f.to_vec2::<f32>().unwrap(),
            feats[0].to_vec2::<f32>().unwrap()
        );
    }
}

#[test]
fn a_checkpoint_of_another_arch_is_an_error() {
    let spec = format!("resnet50:{}", fixture("narrow_r18_moco.pth.tar").display());
    let err = load_error(&spec);
    assert!(
        err.contains("holds a resnet18") && err.contains("resnet50 was asked"),
        "{err}"
    );
    assert!(err.contains("narrow_r18_moco.pth.tar"), "{err}");
}

#[test]
fn missing_unexpected_and_misshaped_tensors_are_named() {
    let (_, mut tensors) = load_state(
        &fixture("narrow_r18.pth"),
        None,
        KeyRemap::Auto,
        &Device::Cpu,
    )
    .unwrap();
    tensors.remove("layer3.1.bn2.running_var");
    tensors.insert(
        "layer2.0.extra.weight".into(),
        Tensor::zeros(3, candle_core::DType::F32, &Device::Cpu).unwrap(),
    );
    tensors.insert(
        "layer1.0.conv1.weight".into(),
        Tensor::zeros((4, 4, 1, 1), candle_core::DType::F32, &Device::Cpu).unwrap(),
    );
    let err = saved_load_error(&tensors, "broken.safetensors");
    assert_mentions(
        &err,
        &[
            "1 missing: layer3.1.bn2.running_var",
            "1 unexpected: layer2.0.extra.weight",
            "layer1.0.conv1.weight is [4, 4, 1, 1], expected [4, 4, 3, 3]",
        ],
    );
}

#[test]
fn sidecar_json_is_read_and_checked() {
    let (_, tensors) = load_state(
        &fixture("narrow_r18.pth"),
        None,
        KeyRemap::Auto,
        &Device::Cpu,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ckpt.safetensors");
    candle_core::safetensors::save(&tensors, &path).unwrap();
    let json = dir.path().join("ckpt.json");
    std::fs::write(
        &json,
        r#"{"arch": "resnet18", "width_mult": 0.0625, "stem": "imagenet", "epoch": 3}"#,
    )
    .unwrap();
    assert_eq!(
        load_encoder(path.to_str().unwrap(), &Device::Cpu)
            .unwrap()
            .dim(),
        32
    );
    std::fs::write(
        &json,
        r#"{"arch": "resnet18", "width_mult": 0.125, "stem": "imagenet"}"#,
    )
    .unwrap();
    let err = load_error(path.to_str().unwrap());
    assert!(
        err.contains("its .json says resnet18 (width 0.125"),
        "{err}"
    );
}

#[test]
fn unreadable_files_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("garbage.pth");
    std::fs::write(&bad, b"not a zip").unwrap();
    let err = load_error(bad.to_str().unwrap());
    assert!(err.contains("garbage.pth"), "{err}");
    let bad = dir.path().join("garbage.safetensors");
    std::fs::write(&bad, b"\x08\0\0\0\0\0\0\0{}").unwrap();
    let err = load_error(bad.to_str().unwrap());
    assert!(err.contains("garbage.safetensors"), "{err}");
    let err = load_error("resnet18:/no/such/file.pth");
    assert!(err.contains("/no/such/file.pth"), "{err}");
}

#[test]
fn a_deleted_block_is_named() {
    let mut tensors = formula_weights(&narrow18());
    tensors.retain(|k, _| !k.starts_with("layer2.1."));
    let err = saved_load_error(&tensors, "cut.safetensors");
    assert_mentions(
        &err,
        &[
            "cut.safetensors",
            "basic blocks per stage [2, 1, 2, 2]",
            "as a resnet18 it differs in layer2.1 missing",
        ],
    );
}

/// The error of loading `tensors` saved as `file` in a temporary folder.
fn saved_load_error(tensors: &HashMap<String, Tensor>, file: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file);
    candle_core::safetensors::save(tensors, &path).unwrap();
    load_error(path.to_str().unwrap())
}

/// The error loading the model `spec` gives (panics when it loads).
fn load_error(spec: &str) -> String {
    match load_encoder(spec, &Device::Cpu) {
        Ok(_) => panic!("{spec} loaded"),
        Err(e) => e.to_string(),
    }
}

fn assert_mentions(err: &str, parts: &[&str]) {
    for p in parts {
        assert!(err.contains(p), "`{p}` not in: {err}");
    }
}
