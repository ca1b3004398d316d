//! Every op in the fixture manifest against torchvision-on-PIL, with the tolerance.

mod common;

use common::{diff, load, manifest, within_tolerance};
use sslinv_augment::Op;

#[test]
fn ops_match_torchvision_on_pil() {
    let m = manifest();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in m["cases"].as_array().unwrap() {
        let op = case["op"].as_str().unwrap();
        if op == "preprocess" {
            continue;
        }
        let params: Vec<f64> = serde_json::from_value(case["params"].clone()).unwrap();
        let input = load(case["input"].as_str().unwrap());
        let want = load(case["output"].as_str().unwrap());
        let got = Op::parse(op, &params).unwrap().apply(&input).unwrap();
        let name = case["output"].as_str().unwrap();
        if got.dimensions() != want.dimensions() {
            failures.push(format!(
                "{name}: size {:?} vs {:?}",
                got.dimensions(),
                want.dimensions()
            ));
            continue;
        }
        let d = diff(&got, &want);
        let kind = case["kind"].as_str().unwrap();
        if !within_tolerance(kind, &d) {
            failures.push(format!("{name} ({kind}): {d:?}"));
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 80, "only {checked} cases checked");
}

#[test]
fn every_deterministic_op_has_fixtures_for_both_photos() {
    let m = manifest();
    for &op in sslinv_augment::OP_NAMES {
        if op == "elastic" || op == "albumentations_elastic" {
            continue; // random; albumentations parity is in tests/fidelity.rs
        }
        let inputs: std::collections::BTreeSet<&str> = m["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["op"] == op)
            .map(|c| c["input"].as_str().unwrap())
            .collect();
        assert_eq!(inputs.len(), 2, "{op} has fixtures for {inputs:?}");
    }
}
