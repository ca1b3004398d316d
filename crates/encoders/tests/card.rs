//! The model card: round trip, an old card as a demo run wrote it, errors naming the file.

mod common;

use common::fixture;
use serde_json::{Value, json};
use sslinv_encoders::{Arch, ModelCard, ModelSpec, ResNetConfig, Stem};

fn card() -> ModelCard {
    let mut card = ModelCard::from_json(
        &json!({"arch": "resnet50", "width_mult": 3.0, "stem": "imagenet"}).to_string(),
    )
    .unwrap();
    card.policy = "ventral".into();
    card.objective = "moco-v2".into();
    card.image_size = 96;
    card.epoch = 2.5;
    card.step = 40;
    card.total_steps = 80;
    card.seed = 7;
    card.config = json!({"name": "wide", "image_size": 96, "hyper": {"lr": 0.03}});
    card.extra.insert("queue_ptr".into(), json!(256));
    card
}

#[test]
fn round_trips_through_a_file_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/wide.json");
    let card = card();
    card.write(&path).unwrap();
    assert_eq!(ModelCard::read(&path).unwrap(), card);
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["wide.json"], "no temp file left behind");
    let text: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for key in [
        "arch",
        "width_mult",
        "stem",
        "policy",
        "objective",
        "image_size",
        "epoch",
        "step",
        "seed",
        "config",
        "queue_ptr",
    ] {
        assert!(text.get(key).is_some(), "top-level `{key}` missing: {text}");
    }
    assert_eq!(
        card.resnet_config().unwrap(),
        ResNetConfig {
            arch: Arch::ResNet50,
            width_mult: 3.0,
            stem: Stem::ImageNet
        }
    );
    assert_eq!(
        (card.preprocess().resize, card.preprocess().crop),
        (Some(96), Some(96))
    );
}

#[test]
fn reads_a_card_a_demo_run_wrote_and_keeps_every_key() {
    let path = fixture("card_v1_demo.json");
    let card = ModelCard::read(&path).unwrap();
    assert_eq!((card.arch.as_str(), card.width_mult), ("resnet18", 0.25));
    assert_eq!((card.stem.as_str(), card.dim), ("cifar", 128));
    assert_eq!(card.objective, "moco-v2");
    assert_eq!((card.step, card.total_steps, card.seed), (120, 156, 0));
    assert_eq!(card.image_size, 32, "taken from config.image_size");
    assert_eq!(card.extra["queue_ptr"], json!(512));
    assert_eq!(card.extra["projector"]["dims"], json!([128, 128, 128]));
    // Written back, it holds every key it was read with, with the same value.
    let old: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.json");
    card.write(&copy).unwrap();
    let new: Value = serde_json::from_str(&std::fs::read_to_string(&copy).unwrap()).unwrap();
    for (key, value) in old.as_object().unwrap() {
        assert_eq!(&new[key], value, "key `{key}`");
    }
    assert_eq!(new["image_size"], json!(32));
}

#[test]
fn bad_cards_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.json");
    for (text, needle) in [
        ("{", "EOF"),
        (r#"{"arch": "resnet18"}"#, "width_mult"),
        (
            r#"{"format": 9, "arch": "resnet18", "width_mult": 1, "stem": "imagenet"}"#,
            "format 9",
        ),
    ] {
        std::fs::write(&path, text).unwrap();
        let err = ModelCard::read(&path).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("m.json") && msg.contains(needle), "{msg}");
    }
    std::fs::write(&path, "{").unwrap();
    let err = ModelCard::read(&path).unwrap_err();
    assert!(
        std::error::Error::source(&err).is_some(),
        "the parser's error is kept as the cause"
    );
    assert!(ModelCard::read(&dir.path().join("none.json")).is_err());
}

#[test]
fn a_spec_finds_the_card_beside_its_weights() {
    let dir = tempfile::tempdir().unwrap();
    let weights = dir.path().join("wide.safetensors");
    let spec = ModelSpec::parse(&weights.display().to_string()).unwrap();
    assert_eq!(spec.card().unwrap(), None);
    card().write(&ModelCard::path_for(&weights)).unwrap();
    assert_eq!(spec.card().unwrap(), Some(card()));
    assert_eq!(spec.width_mult().unwrap(), 3.0);
}
