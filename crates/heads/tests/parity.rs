//! Parity with scikit-learn on the handwritten digits and diabetes sets
//! (fixtures from scripts/reference/heads.py).

use safetensors::SafeTensors;
use serde_json::Value;
use sslinv_heads::{
    Labels, Metric, ProbeConfig, Task, kernel_ridge_predict, metrics, probe, ridge_r2,
};

struct Data {
    x: Vec<f32>,
    y: Vec<i64>,
    dx: Vec<f32>,
    dy: Vec<f32>,
    reference: Value,
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

fn load() -> Data {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
    let bytes = std::fs::read(format!("{dir}digits.safetensors")).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    let y = st
        .tensor("labels")
        .unwrap()
        .data()
        .chunks_exact(8)
        .map(|b| i64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    let reference =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}heads.json")).unwrap())
            .unwrap();
    Data {
        x: f32s(st.tensor("features").unwrap().data()),
        y,
        dx: f32s(st.tensor("diabetes_features").unwrap().data()),
        dy: f32s(st.tensor("diabetes_targets").unwrap().data()),
        reference,
    }
}

const D: usize = 64;

fn split(d: &Data) -> (Vec<f32>, Labels, Vec<f32>, Labels) {
    let n = d.reference["n_train"].as_u64().unwrap() as usize;
    (
        d.x[..n * D].to_vec(),
        Labels::Classes(d.y[..n].to_vec()),
        d.x[n * D..].to_vec(),
        Labels::Classes(d.y[n..].to_vec()),
    )
}

#[test]
fn logistic_at_fixed_lambda_matches_sklearn_within_half_a_point() {
    let d = load();
    let (xtr, ytr, xte, yte) = split(&d);
    for case in d.reference["logistic"].as_array().unwrap() {
        let lambda = case["lambda"].as_f64().unwrap();
        let cfg = ProbeConfig {
            lambda: Some(lambda),
            ..Default::default()
        };
        let r = probe(&xtr, &ytr, &xte, &yte, D, &cfg).unwrap();
        let want = case["test_accuracy"].as_f64().unwrap();
        assert!(
            (r.test_score - want).abs() <= 0.005,
            "lambda {lambda}: {} vs sklearn {want}",
            r.test_score
        );
    }
}

#[test]
fn ridge_at_fixed_lambda_matches_sklearn_r2_within_1e3() {
    let d = load();
    let n = d.reference["n_train"].as_u64().unwrap() as usize;
    let onehot = |y: &[i64]| {
        y.iter()
            .flat_map(|&c| (0..10).map(move |k| f32::from(u8::from(c == k))))
            .collect::<Vec<f32>>()
    };
    let (ytr, yte) = (onehot(&d.y[..n]), onehot(&d.y[n..]));
    for case in d.reference["ridge"].as_array().unwrap() {
        let lambda = case["lambda"].as_f64().unwrap();
        let r2 = ridge_r2(&d.x[..n * D], &ytr, &d.x[n * D..], &yte, D, lambda).unwrap();
        let want = case["test_r2"].as_f64().unwrap();
        assert!(
            (r2 - want).abs() <= 1e-3,
            "lambda {lambda}: {r2} vs sklearn {want}"
        );
        let cfg = ProbeConfig {
            task: Task::Regression,
            metric: Metric::R2,
            lambda: Some(lambda),
            ..Default::default()
        };
        let labels = |v: &[f32]| Labels::Targets {
            values: v.to_vec(),
            dim: 10,
        };
        let p = probe(
            &d.x[..n * D],
            &labels(&ytr),
            &d.x[n * D..],
            &labels(&yte),
            D,
            &cfg,
        )
        .unwrap();
        assert!((p.test_score - r2).abs() < 1e-12);
    }
}

#[test]
fn kernel_ridge_matches_sklearn_per_output_r2() {
    let d = load();
    let n = d.reference["diabetes_n_train"].as_u64().unwrap() as usize;
    let dd = 10;
    for case in d.reference["kernel_ridge"].as_array().unwrap() {
        let (alpha, gamma) = (
            case["alpha"].as_f64().unwrap(),
            case["gamma"].as_f64().unwrap(),
        );
        let pred = kernel_ridge_predict(
            &d.dx[..n * dd],
            &d.dy[..n],
            &d.dx[n * dd..],
            dd,
            alpha,
            gamma,
        )
        .unwrap();
        let r2 = metrics::r2_per_output(&pred, &d.dy[n..], 1);
        let want = case["test_r2"][0].as_f64().unwrap();
        assert!(
            (r2[0] - want).abs() <= 1e-3,
            "alpha {alpha} gamma {gamma}: {} vs {want}",
            r2[0]
        );
    }
}

#[test]
fn cv_test_accuracy_within_one_and_a_half_points_of_sklearn_grid_search() {
    let d = load();
    let (xtr, ytr, xte, yte) = split(&d);
    let r = probe(&xtr, &ytr, &xte, &yte, D, &ProbeConfig::default()).unwrap();
    let want = d.reference["cv"]["test_accuracy"].as_f64().unwrap();
    assert_eq!(r.grid.len(), 45);
    assert_eq!(r.cv_scores.len(), 45);
    assert!(
        (r.test_score - want).abs() <= 0.015,
        "{} vs sklearn {want} (lambda {})",
        r.test_score,
        r.lambda
    );
}
