//! CI smoke test: `cargo xtask demo --quick` runs the whole pipeline and writes a full report.

use std::process::Command;

#[test]
fn quick_demo_writes_results_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    quick_demo(&out, &dir.path().join("synth3d"), None);
    let study: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results/study.json")).unwrap())
            .unwrap();
    // Three pretrained models, the random and supervised baselines, the fusion of the three.
    let models = study["models"].as_array().unwrap();
    assert_eq!(models.len(), 6, "{models:?}");
    for baseline in ["random", "supervised"] {
        assert!(
            models
                .iter()
                .any(|m| m["role"] == "baseline" && m["name"] == baseline),
            "{baseline}: {models:?}"
        );
    }
    assert_eq!(study["synthetic"].as_array().unwrap().len(), 5 * 11);
    assert_eq!(study["multiview"].as_array().unwrap().len(), 5 * 3);
    assert_eq!(study["extrinsic"].as_array().unwrap().len(), 5);
    let downstream = study["downstream"].as_array().unwrap();
    assert_eq!(downstream.len(), 6 * 4);
    // Every number a finding rests on carries its interval.
    for entry in downstream
        .iter()
        .chain(study["synthetic"].as_array().unwrap())
        .chain(study["multiview"].as_array().unwrap())
    {
        let ci = entry["ci95"]
            .as_array()
            .unwrap_or_else(|| panic!("no ci95: {entry}"));
        assert!(
            ci[0].as_f64().unwrap() <= ci[1].as_f64().unwrap(),
            "{entry}"
        );
    }
    // A guard that labels and probes are wired right: training on the labels beats random.
    let class = |model: &str| {
        downstream
            .iter()
            .find(|e| e["model"] == model && e["task"] == "class")
            .and_then(|e| e["score"].as_f64())
            .unwrap()
    };
    assert!(
        class("supervised") > class("random"),
        "supervised {} vs random {}",
        class("supervised"),
        class("random")
    );
    assert_eq!(study["recommendations"].as_array().unwrap().len(), 4);
    assert_eq!(study["smoke"], true);
    let findings = study["findings"].as_array().unwrap();
    assert!(findings.len() >= 6, "{findings:?}");
    for f in findings {
        let v = f["verdict"].as_str().unwrap();
        assert!(
            [
                "reproduced",
                "not-reproduced",
                "inconclusive",
                "not-measured"
            ]
            .contains(&v),
            "{f}"
        );
    }
    for entry in study["synthetic"].as_array().unwrap() {
        let s = entry["mean_similarity"].as_f64().unwrap();
        assert!(s.is_finite() && (-1.0..=1.0).contains(&s), "{entry}");
    }
    // The identity setting of a sweep compares an image with itself.
    let rotation = study["synthetic"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["transform"] == "rotation")
        .unwrap();
    assert!((rotation["similarity"][0].as_f64().unwrap() - 1.0).abs() < 1e-4);
    let html = std::fs::read_to_string(out.join("report/index.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("data:image/png;base64,"));
    assert!(
        html.contains("smoke test"),
        "the quick run says its numbers mean nothing"
    );
    assert!(out.join("report/README.md").exists());

    // The same numbers and checkpoints on one thread (the guide's determinism rule).
    let one = dir.path().join("one-thread");
    quick_demo(&one, &dir.path().join("synth3d"), Some(1));
    assert_eq!(numbers(&one), numbers(&out));
    for model in ["default", "ventral", "dorsal", "supervised"] {
        let file = format!("checkpoints/{model}.safetensors");
        let same =
            std::fs::read(out.join(&file)).unwrap() == std::fs::read(one.join(&file)).unwrap();
        assert!(same, "{file} differs between 2 threads and 1");
    }
}

/// Runs `cargo xtask demo --quick` into `out` (on `threads` rayon threads if given).
fn quick_demo(out: &std::path::Path, data: &std::path::Path, threads: Option<usize>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.args(["demo", "--quick", "--out"])
        .arg(out)
        .arg("--data")
        .arg(data);
    if let Some(n) = threads {
        cmd.env("RAYON_NUM_THREADS", n.to_string());
    }
    let status = cmd.status().unwrap();
    assert!(
        status.success(),
        "demo --quick ({threads:?} threads) exited with {status}"
    );
}

/// `study.json` without its wall-clock times.
fn numbers(out: &std::path::Path) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                map.retain(|k, _| !k.contains("seconds") && k != "timings");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let text = std::fs::read_to_string(out.join("results/study.json")).unwrap();
    let mut study: serde_json::Value = serde_json::from_str(&text).unwrap();
    strip(&mut study);
    study
}
