//! Scores: accuracy, mean per-class accuracy, R^2 and MSE (scikit-learn's definitions).

use serde::{Deserialize, Serialize};

/// A probe's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// Fraction of rows whose class is right.
    Accuracy,
    /// Accuracy per true class, averaged over the classes present (balanced accuracy).
    MeanPerClass,
    /// Coefficient of determination, averaged uniformly over outputs.
    R2,
    /// Mean squared error over all outputs.
    Mse,
}

impl Metric {
    /// Whether a larger value is better (false only for MSE).
    pub fn greater_is_better(self) -> bool {
        !matches!(self, Metric::Mse)
    }

    /// Whether the metric scores class predictions.
    pub fn is_classification(self) -> bool {
        matches!(self, Metric::Accuracy | Metric::MeanPerClass)
    }

    /// The metric's command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
            Metric::MeanPerClass => "mean-per-class",
            Metric::R2 => "r2",
            Metric::Mse => "mse",
        }
    }
}

impl std::str::FromStr for Metric {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "accuracy" => Ok(Metric::Accuracy),
            "mean-per-class" => Ok(Metric::MeanPerClass),
            "r2" => Ok(Metric::R2),
            "mse" => Ok(Metric::Mse),
            _ => Err(format!(
                "unknown metric `{s}` (accuracy, mean-per-class, r2, mse)"
            )),
        }
    }
}

/// Fraction of equal entries.
pub fn accuracy(pred: &[i64], truth: &[i64]) -> f64 {
    let right = pred.iter().zip(truth).filter(|(p, t)| p == t).count();
    right as f64 / truth.len().max(1) as f64
}

/// Recall of each class present in `truth`, averaged (scikit-learn's `balanced_accuracy_score`).
pub fn mean_per_class_accuracy(pred: &[i64], truth: &[i64]) -> f64 {
    let mut classes = truth.to_vec();
    classes.sort_unstable();
    classes.dedup();
    let mut right = vec![0usize; classes.len()];
    let mut total = vec![0usize; classes.len()];
    for (p, t) in pred.iter().zip(truth) {
        let c = classes.binary_search(t).unwrap_or(0);
        total[c] += 1;
        right[c] += usize::from(p == t);
    }
    let sum: f64 = right
        .iter()
        .zip(&total)
        .map(|(&r, &n)| r as f64 / n as f64)
        .sum();
    sum / classes.len().max(1) as f64
}

/// R^2 of each output column (1 - SS_res / SS_tot; a constant column scores 1 if fit exactly, else 0).
pub fn r2_per_output(pred: &[f64], truth: &[f32], dim: usize) -> Vec<f64> {
    per_column(truth, dim, |j, n| {
        let mean = (0..n).map(|i| truth[i * dim + j] as f64).sum::<f64>() / n as f64;
        let (mut res, mut tot) = (0.0, 0.0);
        for i in 0..n {
            let t = truth[i * dim + j] as f64;
            res += (t - pred[i * dim + j]).powi(2);
            tot += (t - mean).powi(2);
        }
        if tot > 0.0 {
            1.0 - res / tot
        } else if res == 0.0 {
            1.0
        } else {
            0.0
        }
    })
}

/// `f(j, n)` for each output column `j` of row-major targets with `dim` columns and `n` rows.
fn per_column(truth: &[f32], dim: usize, f: impl Fn(usize, usize) -> f64) -> Vec<f64> {
    let n = truth.len() / dim;
    (0..dim).map(|j| f(j, n)).collect()
}

/// R^2 averaged uniformly over outputs (scikit-learn's `score` for regressors).
pub fn r2(pred: &[f64], truth: &[f32], dim: usize) -> f64 {
    let per = r2_per_output(pred, truth, dim);
    per.iter().sum::<f64>() / per.len().max(1) as f64
}

/// Mean squared error over all entries.
pub fn mse(pred: &[f64], truth: &[f32]) -> f64 {
    let s: f64 = pred
        .iter()
        .zip(truth)
        .map(|(p, &t)| (p - t as f64).powi(2))
        .sum();
    s / truth.len().max(1) as f64
}

/// Multi-label accuracy per attribute: predictions and truths thresholded at 0.5.
pub fn per_attribute_accuracy(pred: &[f64], truth: &[f32], dim: usize) -> Vec<f64> {
    per_column(truth, dim, |j, n| {
        let right = (0..n)
            .filter(|&i| (pred[i * dim + j] >= 0.5) == (truth[i * dim + j] >= 0.5))
            .count();
        right as f64 / n.max(1) as f64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_metrics() {
        let truth = [0, 0, 0, 1];
        let pred = [0, 0, 0, 0];
        assert_eq!(accuracy(&pred, &truth), 0.75);
        assert_eq!(mean_per_class_accuracy(&pred, &truth), 0.5);
    }

    #[test]
    fn regression_metrics() {
        let truth = [1.0f32, 10.0, 2.0, 20.0, 3.0, 30.0];
        let pred = [1.0, 10.0, 2.0, 20.0, 3.0, 30.0];
        assert_eq!(r2(&pred, &truth, 2), 1.0);
        let mean_pred = [2.0, 20.0, 2.0, 20.0, 2.0, 20.0];
        assert!(r2(&mean_pred, &truth, 2).abs() < 1e-12);
        assert!((mse(&mean_pred, &truth) - (2.0 + 200.0) / 6.0).abs() < 1e-12);
        assert_eq!(
            per_attribute_accuracy(&[0.7, 0.2], &[1.0, 1.0], 2),
            vec![1.0, 0.0]
        );
    }
}
