//! Feature statistics: streaming, shrinkage, degenerate inputs, errors and the cache.

#![allow(clippy::needless_range_loop)]

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use sslinv_invariance::{FeatureStats, InvarianceError, StatsAccumulator, StatsCache, stats_key};

/// n x d correlated Gaussian features (row-major) with an offset, deterministic.
fn features(n: usize, d: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let normal = Normal::new(0.0f64, 1.0).unwrap();
    let mix: Vec<f64> = (0..d * d)
        .map(|_| normal.sample(&mut rng) / (d as f64).sqrt())
        .collect();
    let mut out = Vec::with_capacity(n * d);
    for _ in 0..n {
        let g: Vec<f64> = (0..d).map(|_| normal.sample(&mut rng)).collect();
        for j in 0..d {
            let v: f64 =
                (0..d).map(|i| g[i] * mix[i * d + j]).sum::<f64>() + 0.5 * g[j] + 3.0 + j as f64;
            out.push(v as f32);
        }
    }
    out
}

/// Naive two-pass mean and covariance (N-1).
fn naive(x: &[f32], n: usize, d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut mean = vec![0.0; d];
    for r in x.chunks(d) {
        for j in 0..d {
            mean[j] += r[j] as f64 / n as f64;
        }
    }
    let mut cov = vec![0.0; d * d];
    for r in x.chunks(d) {
        for i in 0..d {
            for j in 0..d {
                cov[i * d + j] +=
                    (r[i] as f64 - mean[i]) * (r[j] as f64 - mean[j]) / (n as f64 - 1.0);
            }
        }
    }
    (mean, cov)
}

/// max |cov * L L^T - I|.
fn inverse_error(s: &FeatureStats) -> f64 {
    let d = s.dim;
    let l = &s.whitening;
    let mut p = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..d {
            p[i * d + j] = (0..d).map(|k| l[i * d + k] * l[j * d + k]).sum();
        }
    }
    let mut worst = 0.0f64;
    for i in 0..d {
        for j in 0..d {
            let v: f64 = (0..d).map(|k| s.covariance[i * d + k] * p[k * d + j]).sum();
            worst = worst.max((v - if i == j { 1.0 } else { 0.0 }).abs());
        }
    }
    worst
}

#[test]
fn streaming_batches_equal_one_pass_and_naive() {
    let (n, d) = (300, 12);
    let x = features(n, d, 1);
    let one = FeatureStats::from_features(&x, n, d).unwrap();
    let mut acc = StatsAccumulator::new(d, "test");
    for chunk in x.chunks(37 * d) {
        acc.push(chunk, chunk.len() / d).unwrap();
    }
    assert_eq!(acc.count(), n);
    let streamed = acc.finish().unwrap();
    let (mean, cov) = naive(&x, n, d);
    for j in 0..d {
        assert!((streamed.mean[j] - mean[j]).abs() < 1e-9);
        assert!((one.mean[j] - mean[j]).abs() < 1e-9);
    }
    for k in 0..d * d {
        assert!(
            (streamed.covariance[k] - cov[k]).abs() < 1e-9,
            "{} vs {}",
            streamed.covariance[k],
            cov[k]
        );
        assert!((one.covariance[k] - cov[k]).abs() < 1e-9);
    }
    assert_eq!(streamed.shrinkage, 0.0);
    assert!(inverse_error(&streamed) < 1e-8);
    // L is lower triangular.
    for i in 0..d {
        for j in i + 1..d {
            assert_eq!(streamed.whitening[i * d + j], 0.0);
        }
    }
}

/// The diagonal-target intensity computed directly from the definition.
fn naive_intensity(x: &[f32], n: usize, d: usize) -> f64 {
    let (mean, cov) = naive(x, n, d);
    let nf = n as f64;
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..d {
        for j in 0..d {
            if i == j {
                continue;
            }
            let w: Vec<f64> = x
                .chunks(d)
                .map(|r| (r[i] as f64 - mean[i]) * (r[j] as f64 - mean[j]))
                .collect();
            let wbar = w.iter().sum::<f64>() / nf;
            num += nf / (nf - 1.0).powi(3) * w.iter().map(|v| (v - wbar).powi(2)).sum::<f64>();
            den += cov[i * d + j].powi(2);
        }
    }
    (num / den).clamp(0.0, 1.0)
}

#[test]
fn fewer_rows_than_dims_shrinks_toward_the_diagonal() {
    let (n, d) = (10, 16);
    let x = features(n, d, 2);
    let s = FeatureStats::from_features(&x, n, d).unwrap();
    assert!(
        s.shrinkage > 0.0 && s.shrinkage <= 1.0,
        "shrinkage {}",
        s.shrinkage
    );
    let want = naive_intensity(&x, n, d);
    // The estimate is used unless it left the matrix singular (then it only grows).
    assert!(
        s.shrinkage >= want - 1e-9,
        "{} < estimate {}",
        s.shrinkage,
        want
    );
    let (_, cov) = naive(&x, n, d);
    for i in 0..d {
        assert!(
            (s.covariance[i * d + i] - cov[i * d + i]).abs() < 1e-9,
            "diagonal is kept"
        );
        for j in 0..d {
            if i != j {
                let want = (1.0 - s.shrinkage) * cov[i * d + j];
                assert!((s.covariance[i * d + j] - want).abs() < 1e-9);
            }
        }
    }
    assert!(inverse_error(&s) < 1e-6);
    assert!(s.summary().shrinkage > 0.0);
}

#[test]
fn shrinkage_intensity_matches_its_definition_when_rank_deficient() {
    // N <= D: the estimate itself is usually positive definite (off-diagonals shrunk).
    let (n, d) = (20, 20);
    let x = features(n, d, 5);
    let s = FeatureStats::from_features(&x, n, d).unwrap();
    let want = naive_intensity(&x, n, d);
    assert!(
        (s.shrinkage - want).abs() < 1e-9,
        "{} vs {}",
        s.shrinkage,
        want
    );
    assert!(want > 0.0);
}

#[test]
fn duplicated_feature_is_singular_and_gets_shrunk() {
    let (n, d) = (200, 8);
    let mut x = features(n, d, 3);
    for r in x.chunks_mut(d) {
        r[5] = r[2];
    }
    let s = FeatureStats::from_features(&x, n, d).unwrap();
    assert!(s.shrinkage > 0.0);
    assert!(s.whitening.iter().all(|v| v.is_finite()));
    assert!(inverse_error(&s) < 1e-6);
}

#[test]
fn dead_feature_gets_a_ridge_not_an_error() {
    let (n, d) = (100, 6);
    let mut x = features(n, d, 4);
    for r in x.chunks_mut(d) {
        r[1] = 0.0;
    }
    let s = FeatureStats::from_features(&x, n, d).unwrap();
    assert!(s.ridge > 0.0);
    let z = s.whiten(&x[..2 * d], 2).unwrap();
    assert!(z.iter().all(|v| v.is_finite()));
}

#[test]
fn nan_feature_is_an_error_naming_source_and_position() {
    let (n, d) = (20, 4);
    let mut x = features(n, d, 6);
    x[7 * d + 2] = f32::NAN;
    let mut acc = StatsAccumulator::new(d, "resnet18 on stats/img7.png");
    let err = acc.push(&x, n).unwrap_err();
    assert!(matches!(
        err,
        InvarianceError::NonFinite { row: 7, col: 2, .. }
    ));
    assert!(err.to_string().contains("resnet18 on stats/img7.png"));
}

#[test]
fn wrong_shape_and_too_few_rows_are_errors() {
    assert!(FeatureStats::from_features(&[1.0, 2.0, 3.0], 2, 2).is_err());
    assert!(matches!(
        FeatureStats::from_features(&[1.0, 2.0], 1, 2),
        Err(InvarianceError::TooFew(_))
    ));
    assert!(matches!(
        FeatureStats::from_features(&[0.0; 8], 4, 2),
        Err(InvarianceError::Degenerate { .. })
    ));
}

#[test]
fn cache_round_trips_and_keys_separate_inputs() {
    let (n, d) = (50, 5);
    let x = features(n, d, 7);
    let s = FeatureStats::from_features(&x, n, d).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cache = StatsCache::new(dir.path().join("stats"));
    let key = stats_key("weights-hash", &["a.png", "b.png"], "resize256-crop224");
    assert_ne!(
        key,
        stats_key("weights-hash", &["a.png"], "resize256-crop224")
    );
    assert_ne!(
        key,
        stats_key("other", &["a.png", "b.png"], "resize256-crop224")
    );
    assert_ne!(
        key,
        stats_key("weights-hash", &["a.png", "b.png"], "resize224-crop224")
    );
    assert!(cache.load(&key).unwrap().is_none());
    let mut computed = 0;
    let first = cache
        .get_or_compute(&key, || {
            computed += 1;
            Ok(s.clone())
        })
        .unwrap();
    let second = cache
        .get_or_compute(&key, || panic!("must come from the cache"))
        .unwrap();
    assert_eq!(computed, 1);
    assert_eq!(first.mean, second.mean);
    assert_eq!(second.covariance, s.covariance);
    assert_eq!(second.whitening, s.whitening);
    assert_eq!(second.summary(), s.summary());
    assert_eq!(s.whiten(&x, n).unwrap(), second.whiten(&x, n).unwrap());
    std::fs::write(cache.path(&key), b"garbage").unwrap();
    assert!(cache.load(&key).is_err());
}

#[test]
fn two_rows_with_dead_features_still_shrink_the_live_ones() {
    // Rank 1 covariance with some dead features: a ridge on the dead ones must not pass off
    // the live, rank-deficient block as invertible.
    let (n, d) = (2, 8);
    let mut x = features(n, d, 8);
    for r in x.chunks_mut(d) {
        r[3] = 1.0;
    }
    let s = FeatureStats::from_features(&x, n, d).unwrap();
    assert!(s.shrinkage > 0.0, "shrinkage {}", s.shrinkage);
    assert!(s.ridge > 0.0);
    assert!(inverse_error(&s) < 1e-6);
}
