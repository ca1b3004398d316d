//! Seeded percentile-bootstrap intervals for test scores: resample the test rows with
//! replacement, recompute the score on each resample, and take the empirical quantiles.
//!
//! Each resample draws from its own generator seeded by `(seed, resample index)`, so an interval
//! is the same for any thread count.

use crate::error::{HeadsError, Result};
use crate::labels::Labels;
use crate::metrics::{self, Metric};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// A two-sided confidence interval and how it was drawn.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// Coverage (0.95 for a 95 % interval).
    pub level: f64,
    /// Bootstrap resamples it was computed from.
    pub resamples: usize,
    /// Seed of the resampling.
    pub seed: u64,
}

impl Interval {
    /// Whether `x` lies inside (ends included).
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }

    /// Whether the two intervals share a point (then a difference between them is inconclusive).
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.low <= other.high && other.low <= self.high
    }
}

/// How many resamples, at what coverage, from which seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapConfig {
    /// Number of resamples (1000 by default).
    pub resamples: usize,
    /// Coverage in (0, 1) (0.95 by default).
    pub level: f64,
    /// Seed of the resampling.
    pub seed: u64,
}

impl Default for BootstrapConfig {
    fn default() -> Self {
        Self {
            resamples: 1000,
            level: 0.95,
            seed: 0,
        }
    }
}

/// A probe's predictions on its test rows, in test order.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Predictions {
    /// None kept.
    #[default]
    None,
    /// One predicted class id per row.
    Classes(Vec<i64>),
    /// `dim` predicted values per row, row-major.
    Values {
        /// Row-major predictions.
        values: Vec<f64>,
        /// Outputs per row.
        dim: usize,
    },
}

/// SplitMix64 finaliser: decorrelates the per-resample seeds.
fn mix(seed: u64, i: u64) -> u64 {
    let mut z = seed ^ i.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The `q` quantile of sorted values with linear interpolation (NumPy's default).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Percentile interval of `stat` over resamples of `n` rows; `stat` gets the drawn row indices.
/// Resamples whose statistic is not finite are dropped (counted out of `resamples`).
pub fn bootstrap<F>(n: usize, cfg: &BootstrapConfig, stat: F) -> Result<Interval>
where
    F: Fn(&[usize]) -> f64 + Sync,
{
    if n == 0 {
        return Err(HeadsError::Empty("bootstrap over zero rows".into()));
    }
    if cfg.resamples < 2 || !(cfg.level > 0.0 && cfg.level < 1.0) {
        return Err(HeadsError::Config(format!(
            "bootstrap needs >= 2 resamples and a level in (0, 1), got {} and {}",
            cfg.resamples, cfg.level
        )));
    }
    let mut values: Vec<f64> = (0..cfg.resamples)
        .into_par_iter()
        .map(|r| {
            let mut rng = ChaCha8Rng::seed_from_u64(mix(cfg.seed, r as u64));
            let idx: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            stat(&idx)
        })
        .filter(|v| v.is_finite())
        .collect();
    if values.len() < 2 {
        return Err(HeadsError::Numerical(
            "fewer than two bootstrap resamples gave a finite score".into(),
        ));
    }
    values.sort_by(f64::total_cmp);
    let tail = (1.0 - cfg.level) / 2.0;
    Ok(Interval {
        low: quantile(&values, tail),
        high: quantile(&values, 1.0 - tail),
        level: cfg.level,
        resamples: values.len(),
        seed: cfg.seed,
    })
}

/// Interval of accuracy from per-row correctness.
pub fn accuracy_interval(correct: &[bool], cfg: &BootstrapConfig) -> Result<Interval> {
    bootstrap(correct.len(), cfg, |idx| {
        idx.iter().filter(|&&i| correct[i]).count() as f64 / idx.len() as f64
    })
}

/// Interval of R^2 (uniform over the `dim` outputs), recomputed on each resample of rows.
pub fn r2_interval(
    pred: &[f64],
    truth: &[f32],
    dim: usize,
    cfg: &BootstrapConfig,
) -> Result<Interval> {
    let n = check_values(pred.len(), truth.len(), dim)?;
    bootstrap(n, cfg, |idx| {
        let (p, t) = gather_rows(pred, truth, dim, idx);
        metrics::r2(&p, &t, dim)
    })
}

fn check_values(pred: usize, truth: usize, dim: usize) -> Result<usize> {
    if dim == 0 || pred != truth || !truth.is_multiple_of(dim) {
        return Err(HeadsError::Shape(format!(
            "{pred} predicted and {truth} true values for {dim} outputs per row"
        )));
    }
    Ok(truth / dim)
}

fn gather_rows(pred: &[f64], truth: &[f32], dim: usize, idx: &[usize]) -> (Vec<f64>, Vec<f32>) {
    let mut p = Vec::with_capacity(idx.len() * dim);
    let mut t = Vec::with_capacity(idx.len() * dim);
    for &i in idx {
        p.extend_from_slice(&pred[i * dim..(i + 1) * dim]);
        t.extend_from_slice(&truth[i * dim..(i + 1) * dim]);
    }
    (p, t)
}

/// Interval of `metric` for test predictions against the test labels.
pub fn score_interval(
    pred: &Predictions,
    truth: &Labels,
    metric: Metric,
    cfg: &BootstrapConfig,
) -> Result<Interval> {
    match (pred, truth) {
        (Predictions::Classes(p), Labels::Classes(t)) if metric.is_classification() => {
            if p.len() != t.len() {
                return Err(HeadsError::Shape(format!(
                    "{} predictions for {} test labels",
                    p.len(),
                    t.len()
                )));
            }
            if metric == Metric::Accuracy {
                let correct: Vec<bool> = p.iter().zip(t).map(|(a, b)| a == b).collect();
                return accuracy_interval(&correct, cfg);
            }
            bootstrap(t.len(), cfg, |idx| {
                let pp: Vec<i64> = idx.iter().map(|&i| p[i]).collect();
                let tt: Vec<i64> = idx.iter().map(|&i| t[i]).collect();
                metrics::mean_per_class_accuracy(&pp, &tt)
            })
        }
        (Predictions::Values { values, dim }, Labels::Targets { values: t, dim: d })
            if !metric.is_classification() && dim == d =>
        {
            if metric == Metric::R2 {
                return r2_interval(values, t, *dim, cfg);
            }
            let n = check_values(values.len(), t.len(), *dim)?;
            bootstrap(n, cfg, |idx| {
                let (p, tt) = gather_rows(values, t, *dim, idx);
                metrics::mse(&p, &tt)
            })
        }
        _ => Err(HeadsError::Config(format!(
            "no bootstrap of `{}` for these predictions and labels",
            metric.name()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_interval_brackets_the_score_and_narrows_with_more_rows() {
        let cfg = BootstrapConfig::default();
        let small: Vec<bool> = (0..100).map(|i| i % 10 < 7).collect();
        let large: Vec<bool> = (0..10_000).map(|i| i % 10 < 7).collect();
        let a = accuracy_interval(&small, &cfg).unwrap();
        let b = accuracy_interval(&large, &cfg).unwrap();
        assert!(a.contains(0.7) && b.contains(0.7), "{a:?} {b:?}");
        assert!(b.high - b.low < (a.high - a.low) / 5.0, "{a:?} {b:?}");
        // Binomial standard error at p = 0.7, n = 100 is 0.046: the 95 % width is about 0.18.
        assert!((a.high - a.low - 0.18).abs() < 0.04, "{a:?}");
    }

    #[test]
    fn same_seed_same_interval_other_seed_other_interval() {
        let correct: Vec<bool> = (0..300).map(|i| (i * 7) % 5 < 3).collect();
        let cfg = BootstrapConfig::default();
        let a = accuracy_interval(&correct, &cfg).unwrap();
        let b = accuracy_interval(&correct, &cfg).unwrap();
        let c = accuracy_interval(&correct, &BootstrapConfig { seed: 1, ..cfg }).unwrap();
        assert_eq!(a, b);
        assert_ne!((a.low, a.high), (c.low, c.high));
    }

    #[test]
    fn r2_interval_contains_the_full_sample_r2() {
        let n = 400;
        let truth: Vec<f32> = (0..2 * n)
            .map(|i| ((i * 37) % 101) as f32 / 100.0)
            .collect();
        let pred: Vec<f64> = truth
            .iter()
            .enumerate()
            .map(|(i, &t)| t as f64 + 0.2 * (((i * 53) % 17) as f64 / 16.0 - 0.5))
            .collect();
        let full = metrics::r2(&pred, &truth, 2);
        let ci = r2_interval(&pred, &truth, 2, &BootstrapConfig::default()).unwrap();
        assert!(ci.contains(full) && ci.high - ci.low > 0.0, "{full} {ci:?}");
    }

    #[test]
    fn mismatched_inputs_are_errors() {
        let cfg = BootstrapConfig::default();
        assert!(accuracy_interval(&[], &cfg).is_err());
        assert!(r2_interval(&[0.0; 4], &[0.0; 6], 2, &cfg).is_err());
        let p = Predictions::Classes(vec![0, 1]);
        assert!(score_interval(&p, &Labels::Classes(vec![0]), Metric::Accuracy, &cfg).is_err());
        assert!(score_interval(&p, &Labels::Classes(vec![0, 1]), Metric::R2, &cfg).is_err());
        let bad = BootstrapConfig { level: 1.0, ..cfg };
        assert!(accuracy_interval(&[true, false], &bad).is_err());
    }
}
