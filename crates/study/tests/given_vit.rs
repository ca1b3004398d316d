//! A study given a ViT (`pipeline --models vit=SPEC`) measures and reports it like any other
//! encoder, beside the random baseline.

mod common;

use candle_core::Device;
use sslinv_encoders::vit::{ViTConfig, random_vit_weights};
use sslinv_study::fixtures;

#[test]
fn a_given_vit_is_studied_like_any_encoder() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixtures::tiny_data_in(dir.path(), 24).unwrap();
    let weights = dir.path().join("vit.safetensors");
    let cfg = ViTConfig::timm("vit_tiny_patch16_224").unwrap();
    let tensors = random_vit_weights(&cfg, 0, &Device::Cpu).unwrap();
    candle_core::safetensors::save(&tensors, &weights).unwrap();
    let given = vec![(
        "vit".to_string(),
        format!("vit_tiny_patch16_224:{}", weights.display()),
    )];
    let out = dir.path().join("out");
    let study = common::smoke_study(&data, &out, &given);
    let names: Vec<&str> = study.models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["vit", "random"], "{names:?}");
    assert_eq!(study.models[0].dim, 192);
    assert!(
        study
            .synthetic
            .iter()
            .filter(|e| e.model == "vit")
            .all(|e| e.mean_similarity.is_finite() && e.ci95.is_some())
    );
    assert!(
        study
            .downstream
            .iter()
            .any(|e| e.model == "vit" && e.score.is_finite())
    );
}
