//! The smoke preset end to end on a tiny real-layout data root: every stage runs, study.json
//! is complete, and a run resumed after losing some results ends with the same numbers.

mod common;

use candle_core::Device;
use common::{run_smoke, smoke_study};
use sslinv_study::{Outcome, Preset, Source, Study, fixtures, prepare, report};
use std::path::Path;

/// Everything but wall-clock times.
fn numbers(study: &Study) -> String {
    let mut s = study.clone();
    s.seconds = 0.0;
    s.timings.clear();
    for m in &mut s.models {
        m.pretrain_seconds = 0.0;
    }
    serde_json::to_string(&s).unwrap()
}

#[test]
fn smoke_study_runs_every_stage_and_resumes_to_the_same_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixtures::tiny_data_in(dir.path(), 24).unwrap();
    let out = dir.path().join("out");
    let study = smoke_study(&data, &out, &[]);
    // Three pretrained models, the random baseline and the fusion.
    assert_eq!(study.models.len(), 5, "{:?}", study.models);
    assert_eq!(study.synthetic.len(), 4 * 6);
    assert_eq!(study.multiview.len(), 4, "coil100 for each single model");
    assert_eq!(
        study.downstream.len(),
        5,
        "caltech101 for each model and the fusion"
    );
    assert!(
        study
            .synthetic
            .iter()
            .all(|e| e.mean_similarity.is_finite() && e.ci95.is_some())
    );
    assert!(study.multiview.iter().all(|e| e.ci95.is_some()));
    // The probe's interval, and kNN beside it on a classification task.
    assert!(
        study
            .downstream
            .iter()
            .all(|e| e.ci95.is_some() && e.knn.is_some_and(|k| (0.0..=1.0).contains(&k))),
        "{:?}",
        study.downstream
    );
    assert_eq!(study.recommendations.len(), 1);
    // RankMe of every fusion candidate, the label-free baseline; its rank correlation with the
    // measured scores exists unless those are all equal (they can be on this tiny data).
    let fusion: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("results/fusion/caltech101.json")).unwrap(),
    )
    .unwrap();
    let rankme = fusion["rankme"].as_array().unwrap();
    assert_eq!(rankme.len(), 7);
    assert!(
        rankme
            .iter()
            .all(|r| r[1].as_f64().is_some_and(|v| v >= 1.0))
    );
    let measured: Vec<f64> = fusion["recommendation"]["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["measured"].as_f64().unwrap())
        .collect();
    let constant = measured.iter().all(|&m| m == measured[0]);
    assert_eq!(
        study.recommendations[0].rankme_correlation.is_none(),
        constant,
        "{fusion}"
    );
    assert!(!study.findings.is_empty());
    assert!(study.smoke);
    assert!(out.join("report/index.html").exists());
    let html = std::fs::read_to_string(out.join("report/index.html")).unwrap();
    assert!(html.contains("smoke test"));

    // Lose the later results and some features: the rerun redoes only those and ends equal.
    let before = numbers(&study);
    std::fs::remove_dir_all(out.join("results/downstream")).unwrap();
    std::fs::remove_dir_all(out.join("results/fusion")).unwrap();
    std::fs::remove_dir_all(out.join("features/ventral")).unwrap();
    std::fs::remove_file(out.join("results/synthetic/dorsal/hue.json")).unwrap();
    let again = run_smoke(&data, &out, &[]);
    let ran: Vec<&String> = again
        .iter()
        .filter(|(_, o)| *o == Outcome::Ran)
        .map(|(id, _)| id)
        .collect();
    assert!(
        ran.iter()
            .all(|id| !id.starts_with("pretrain") && !id.starts_with("stats")),
        "{ran:?}"
    );
    assert!(ran.iter().any(|id| *id == "synthetic/dorsal/hue"));
    let after = report::read_study(&out.join("results")).unwrap();
    assert_eq!(numbers(&after), before);
}

#[test]
fn pretraining_several_models_at_once_gives_the_same_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixtures::tiny_data_in(dir.path(), 12).unwrap();
    let source = Source::Root {
        root: data.clone(),
        fetch: false,
    };
    let pretrain = |concurrent: usize, out: &Path| {
        let mut preset = Preset::load("smoke").unwrap();
        preset.pretrain.concurrent = concurrent;
        let (mut runner, _) = prepare(&preset, &source, out, Device::Cpu, &[], false).unwrap();
        runner.progress = false;
        let outcomes = runner.pretrain_ready();
        assert_eq!(outcomes.len(), 3, "{outcomes:?}");
        assert!(
            outcomes.values().all(|o| *o == Outcome::Ran),
            "{outcomes:?}"
        );
        // Nothing is left to pretrain.
        assert!(runner.pretrain_ready().is_empty());
    };
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    pretrain(1, &one);
    pretrain(2, &two);
    for model in ["default", "ventral", "dorsal"] {
        let file = format!("checkpoints/{model}.safetensors");
        let a = std::fs::read(one.join(&file)).unwrap();
        let b = std::fs::read(two.join(&file)).unwrap();
        assert!(a == b, "{model}: the checkpoints differ");
        let timing = format!("results/timings/pretrain__{model}.json");
        assert!(two.join(&timing).exists(), "{timing}");
    }
}
