//! Parity with the paper's formulas computed in Python (scripts/reference/invariance.py) on
//! real ResNet-18 features of real photos: per-setting similarity within 2e-3 and distance
//! within 1% relative, and the multi-view group scores.

use serde::Deserialize;
use sslinv_invariance::{FeatureStats, score_groups, score_sweep};

#[derive(Deserialize)]
struct Sweep {
    params: Vec<Vec<f64>>,
    views: Vec<f32>,
    similarity: Vec<f64>,
    distance: Vec<f64>,
}

#[derive(Deserialize)]
struct Group {
    rows: Vec<usize>,
    similarity: f64,
    distance: f64,
}

#[derive(Deserialize)]
struct Reference {
    dim: usize,
    n_stats: usize,
    stats_features: Vec<f32>,
    mean: Vec<f64>,
    covariance_diag: Vec<f64>,
    covariance_01: f64,
    clean: Vec<f32>,
    n_images: usize,
    sweeps: std::collections::BTreeMap<String, Sweep>,
    groups: Vec<Group>,
}

fn reference() -> Reference {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("fixture json")
}

#[test]
fn statistics_match_numpy() {
    let r = reference();
    let stats = FeatureStats::from_features(&r.stats_features, r.n_stats, r.dim).unwrap();
    assert_eq!(
        stats.shrinkage, 0.0,
        "256 rows of 64-d features need no shrinkage"
    );
    assert_eq!(stats.count, r.n_stats);
    for (a, b) in stats.mean.iter().zip(&r.mean) {
        assert!((a - b).abs() < 1e-5 * (1.0 + b.abs()), "mean {a} vs {b}");
    }
    let d = r.dim;
    for i in 0..d {
        let (a, b) = (stats.covariance[i * d + i], r.covariance_diag[i]);
        assert!(
            (a - b).abs() < 1e-9 * b.abs().max(1e-12),
            "var {i}: {a} vs {b}"
        );
    }
    assert!((stats.covariance[1] - r.covariance_01).abs() < 1e-9 * r.covariance_01.abs().max(1e-9));
}

#[test]
fn synthetic_sweeps_match_the_paper_formulas() {
    let r = reference();
    let stats = FeatureStats::from_features(&r.stats_features, r.n_stats, r.dim).unwrap();
    let required = [
        "rotation",
        "brightness",
        "hue",
        "blur",
        "posterize",
        "h_flip",
        "grayscale",
    ];
    for name in required {
        let s = &r.sweeps[name];
        let k = s.params.len();
        let got = score_sweep(&stats, &r.clean, &s.views, r.n_images, k).unwrap();
        assert_eq!(got.similarity.len(), k);
        for j in 0..k {
            let (a, b) = (got.similarity[j], s.similarity[j]);
            assert!(
                (a - b).abs() < 2e-3,
                "{name} setting {j}: similarity {a} vs {b}"
            );
            let (a, b) = (got.distance[j], s.distance[j]);
            assert!(
                (a - b).abs() <= 0.01 * b.abs() + 1e-3,
                "{name} setting {j}: distance {a} vs {b}"
            );
        }
    }
}

#[test]
fn multiview_groups_match_the_paper_formulas() {
    let r = reference();
    let stats = FeatureStats::from_features(&r.stats_features, r.n_stats, r.dim).unwrap();
    let groups: Vec<Vec<usize>> = r.groups.iter().map(|g| g.rows.clone()).collect();
    let got = score_groups(&stats, &r.stats_features, &groups).unwrap();
    assert_eq!(got.n_groups, r.groups.len());
    for (g, want) in got.groups.iter().zip(&r.groups) {
        assert!(
            (g.similarity - want.similarity).abs() < 2e-3,
            "{} vs {}",
            g.similarity,
            want.similarity
        );
        assert!(
            (g.distance - want.distance).abs() < 0.01 * want.distance,
            "{} vs {}",
            g.distance,
            want.distance
        );
    }
    let mean_s = r.groups.iter().map(|g| g.similarity).sum::<f64>() / r.groups.len() as f64;
    assert!((got.similarity - mean_s).abs() < 2e-3);
}

#[test]
fn mahalanobis_equals_whitened_distance() {
    let r = reference();
    let stats = FeatureStats::from_features(&r.stats_features, r.n_stats, r.dim).unwrap();
    let s = &r.sweeps["rotation"];
    let d = r.dim;
    let (a, b) = (&r.clean[..d], &s.views[3 * d..4 * d]);
    let z = stats.whiten(&[a, b].concat(), 2).unwrap();
    let whitened = sslinv_invariance::metrics::l2(&z[..d], &z[d..]) as f64;
    let direct = stats.mahalanobis(a, b).unwrap();
    assert!(
        (whitened - direct).abs() < 1e-4 * direct,
        "{whitened} vs {direct}"
    );
}
