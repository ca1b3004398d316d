//! Equivariance beyond the paper: how well a ridge probe on features predicts the transform
//! parameter (test R^2). High invariance and high equivariance pull in opposite directions.

use faer::Mat;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{InvarianceError, Result};

/// The probe's outcome.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Equivariance {
    /// Test R^2 averaged over the varying parameter dimensions.
    pub r2: f64,
    /// Test R^2 per varying parameter dimension.
    pub r2_per_param: Vec<f64>,
    /// Which parameter dimensions vary (and are predicted).
    pub param_dims: Vec<usize>,
    /// Ridge strength chosen on the validation images (relative to the largest squared singular value).
    pub lambda: f64,
    /// Training rows (train + validation images).
    pub n_train: usize,
    /// Test rows.
    pub n_test: usize,
}

/// Ridge probe from `features` (n x dim) to `targets` (n rows of parameters), split by image
/// (`groups[r]` is row r's image): half the images train, a quarter select lambda, a quarter
/// test; the refit uses train + validation. None when fewer than 4 images or no parameter varies.
pub fn ridge_equivariance(
    features: &[f32],
    dim: usize,
    targets: &[Vec<f64>],
    groups: &[usize],
    seed: u64,
) -> Result<Option<Equivariance>> {
    let n = targets.len();
    InvarianceError::check_len("equivariance features", n * dim, features.len())?;
    InvarianceError::check_len("equivariance groups", n, groups.len())?;
    let width = targets.first().map_or(0, Vec::len);
    let param_dims: Vec<usize> = (0..width)
        .filter(|&j| targets.iter().any(|t| (t[j] - targets[0][j]).abs() > 1e-12))
        .collect();
    let mut images: Vec<usize> = groups.to_vec();
    images.sort_unstable();
    images.dedup();
    if images.len() < 4 || param_dims.is_empty() {
        return Ok(None);
    }
    images.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let n_img = images.len();
    let (a, b) = (n_img / 2, n_img * 3 / 4);
    let part = |range: std::ops::Range<usize>| -> Vec<usize> {
        let keep: std::collections::HashSet<usize> = images[range].iter().copied().collect();
        (0..n).filter(|&r| keep.contains(&groups[r])).collect()
    };
    let (train, val, test) = (part(0..a), part(a..b), part(b..n_img));
    let y = |rows: &[usize]| {
        Mat::<f64>::from_fn(rows.len(), param_dims.len(), |i, j| {
            targets[rows[i]][param_dims[j]]
        })
    };

    let grid: Vec<f64> = (0..15).map(|i| 10f64.powf(-6.0 + 0.5 * i as f64)).collect();
    let fit = Fit::new(features, dim, &train, &y(&train))?;
    let val_scores: Vec<f64> = grid
        .iter()
        .map(|&l| mean(&r2(&fit.predict(features, &val, l), &y(&val))))
        .collect();
    let best = (0..grid.len()).fold(0, |b, i| if val_scores[i] > val_scores[b] { i } else { b });
    let trainval: Vec<usize> = train.iter().chain(&val).copied().collect();
    let refit = Fit::new(features, dim, &trainval, &y(&trainval))?;
    let per = r2(&refit.predict(features, &test, grid[best]), &y(&test));
    Ok(Some(Equivariance {
        r2: mean(&per),
        r2_per_param: per,
        param_dims,
        lambda: grid[best],
        n_train: trainval.len(),
        n_test: test.len(),
    }))
}

/// Standardised features, centred targets and the thin SVD of the training design.
struct Fit {
    mu: Vec<f64>,
    sd: Vec<f64>,
    y_mean: Vec<f64>,
    v: Mat<f64>,
    s: Vec<f64>,
    uty: Mat<f64>,
}

impl Fit {
    fn new(features: &[f32], dim: usize, rows: &[usize], y: &Mat<f64>) -> Result<Self> {
        let m = rows.len() as f64;
        let mut mu = vec![0.0; dim];
        let mut sd = vec![0.0; dim];
        for &r in rows {
            for j in 0..dim {
                mu[j] += features[r * dim + j] as f64 / m;
            }
        }
        for &r in rows {
            for j in 0..dim {
                sd[j] += (features[r * dim + j] as f64 - mu[j]).powi(2) / m;
            }
        }
        sd.iter_mut()
            .for_each(|s| *s = if *s > 0.0 { s.sqrt() } else { 1.0 });
        let x = Mat::<f64>::from_fn(rows.len(), dim, |i, j| {
            (features[rows[i] * dim + j] as f64 - mu[j]) / sd[j]
        });
        let y_mean: Vec<f64> = (0..y.ncols())
            .map(|j| (0..y.nrows()).map(|i| y[(i, j)]).sum::<f64>() / m)
            .collect();
        let yc = Mat::<f64>::from_fn(y.nrows(), y.ncols(), |i, j| y[(i, j)] - y_mean[j]);
        let svd = x.thin_svd().map_err(|e| InvarianceError::Degenerate {
            dim,
            reason: format!("SVD of the probe design failed: {e:?}"),
        })?;
        let s: Vec<f64> = (0..svd.S().dim())
            .map(|i| svd.S().column_vector()[i])
            .collect();
        let uty = svd.U().transpose() * &yc;
        Ok(Self {
            mu,
            sd,
            y_mean,
            v: svd.V().to_owned(),
            s,
            uty,
        })
    }

    /// Predictions for `rows` with ridge strength `rel` x (largest singular value)^2.
    fn predict(&self, features: &[f32], rows: &[usize], rel: f64) -> Mat<f64> {
        let lambda = rel * self.s.first().map_or(1.0, |s| s * s);
        let shrunk = Mat::<f64>::from_fn(self.uty.nrows(), self.uty.ncols(), |i, j| {
            self.uty[(i, j)] * self.s[i] / (self.s[i] * self.s[i] + lambda)
        });
        let w = &self.v * &shrunk;
        let dim = self.mu.len();
        let x = Mat::<f64>::from_fn(rows.len(), dim, |i, j| {
            (features[rows[i] * dim + j] as f64 - self.mu[j]) / self.sd[j]
        });
        let mut p = &x * &w;
        for i in 0..p.nrows() {
            for j in 0..p.ncols() {
                p[(i, j)] += self.y_mean[j];
            }
        }
        p
    }
}

/// R^2 per column (scikit-learn's r2_score; 0 for a constant truth predicted exactly, else -inf-free).
fn r2(pred: &Mat<f64>, truth: &Mat<f64>) -> Vec<f64> {
    (0..truth.ncols())
        .map(|j| {
            let n = truth.nrows() as f64;
            let mean = (0..truth.nrows()).map(|i| truth[(i, j)]).sum::<f64>() / n;
            let ss_tot: f64 = (0..truth.nrows())
                .map(|i| (truth[(i, j)] - mean).powi(2))
                .sum();
            let ss_res: f64 = (0..truth.nrows())
                .map(|i| (truth[(i, j)] - pred[(i, j)]).powi(2))
                .sum();
            if ss_tot > 0.0 {
                1.0 - ss_res / ss_tot
            } else if ss_res == 0.0 {
                1.0
            } else {
                0.0
            }
        })
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}
