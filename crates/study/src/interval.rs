//! 95 % intervals: a seeded percentile bootstrap of a mean, and the overlap rule findings use.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The 2.5 and 97.5 percentiles of the mean of `values` over `resamples` bootstrap resamples
/// (`None` with fewer than two values).
pub fn bootstrap_mean(values: &[f64], resamples: usize, seed: u64) -> Option<[f64; 2]> {
    let n = values.len();
    if n < 2 || resamples == 0 {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut means: Vec<f64> = (0..resamples)
        .map(|_| (0..n).map(|_| values[rng.random_range(0..n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    let at = |q: f64| means[((q * (resamples - 1) as f64).round() as usize).min(resamples - 1)];
    Some([at(0.025), at(0.975)])
}

/// Whether two intervals are disjoint (a finding needs that to be decided).
pub fn separated(a: Option<[f64; 2]>, b: Option<[f64; 2]>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a[1] < b[0] || b[1] < a[0],
        _ => false,
    }
}

/// `0.123 [0.101, 0.140]`.
pub fn show(value: f64, ci: Option<[f64; 2]>) -> String {
    match ci {
        Some([lo, hi]) => format!("{value:.3} [{lo:.3}, {hi:.3}]"),
        None => format!("{value:.3}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_covers_the_mean_and_shrinks_with_n() {
        let few: Vec<f64> = (0..20).map(|i| (i % 5) as f64).collect();
        let many: Vec<f64> = (0..2000).map(|i| (i % 5) as f64).collect();
        let a = bootstrap_mean(&few, 1000, 0).unwrap();
        let b = bootstrap_mean(&many, 1000, 0).unwrap();
        assert!(a[0] < 2.0 && 2.0 < a[1], "{a:?}");
        assert!(b[0] < 2.0 && 2.0 < b[1], "{b:?}");
        assert!(b[1] - b[0] < (a[1] - a[0]) / 4.0);
        assert_eq!(a, bootstrap_mean(&few, 1000, 0).unwrap(), "seeded");
        assert!(bootstrap_mean(&[1.0], 100, 0).is_none());
    }

    #[test]
    fn overlap_rule() {
        assert!(separated(Some([0.0, 1.0]), Some([1.5, 2.0])));
        assert!(!separated(Some([0.0, 1.6]), Some([1.5, 2.0])));
        assert!(!separated(None, Some([1.5, 2.0])));
    }
}
