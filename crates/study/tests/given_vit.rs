//! A study given a ViT (`pipeline --models vit=SPEC`) measures and reports it like any other
//! encoder, beside the random baseline.

use candle_core::Device;
use sslinv_encoders::vit::{ViTConfig, random_vit_weights};
use sslinv_study::{Outcome, Preset, Source, fixtures, prepare, report};

#[test]
fn a_given_vit_is_studied_like_any_encoder() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    fixtures::tiny_data_root(&data, 24).unwrap();
    let weights = dir.path().join("vit.safetensors");
    let cfg = ViTConfig::timm("vit_tiny_patch16_224").unwrap();
    let tensors = random_vit_weights(&cfg, 0, &Device::Cpu).unwrap();
    candle_core::safetensors::save(&tensors, &weights).unwrap();
    let given = vec![(
        "vit".to_string(),
        format!("vit_tiny_patch16_224:{}", weights.display()),
    )];
    let preset = Preset::load("smoke").unwrap();
    let source = Source::Root {
        root: data.clone(),
        fetch: false,
    };
    let out = dir.path().join("out");
    let (mut runner, _) = prepare(&preset, &source, &out, Device::Cpu, &given, false).unwrap();
    runner.progress = false;
    let outcomes = runner.run();
    let failed: Vec<_> = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Failed(_)))
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    let study = report::read_study(&out.join("results")).unwrap();
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
