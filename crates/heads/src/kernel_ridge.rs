//! RBF kernel ridge on standard-scaled inputs with CV over the paper's Causal3DIdent grid
//! (alpha in logspace(0,-4,5), gamma in logspace(-5,2,8)); scikit-learn's `KernelRidge` (no intercept).

use crate::data::{rows_of, target_width};
use crate::error::{HeadsError, Result};
use crate::folds::kfold;
use crate::grid::logspace;
use crate::metrics;
use crate::scaler::StandardScaler;
use faer::linalg::matmul::matmul;
use faer::linalg::solvers::Solve;
use faer::{Accum, Mat, MatRef, Par, Side};
use rayon::prelude::*;
use serde::Serialize;
use std::time::Instant;

/// Result of [`kernel_ridge_cv`].
#[derive(Debug, Clone, Serialize)]
pub struct KernelRidgeResult {
    /// Chosen ridge strength.
    pub alpha: f64,
    /// Chosen RBF width.
    pub gamma: f64,
    /// Test R^2 of each output.
    pub r2_per_output: Vec<f64>,
    /// Test R^2 averaged over outputs.
    pub r2: f64,
    /// The alpha grid.
    pub alphas: Vec<f64>,
    /// The gamma grid.
    pub gammas: Vec<f64>,
    /// Mean CV R^2, `cv_scores[a][g]` for alphas[a], gammas[g].
    pub cv_scores: Vec<Vec<f64>>,
    /// Training rows.
    pub n_train: usize,
    /// Test rows.
    pub n_test: usize,
    /// Feature dimension.
    pub dim: usize,
    /// Wall time.
    pub seconds: f64,
}

/// exp(-gamma ||a_i - b_j||^2) for row-major `a` (n x d) and `b` (m x d).
fn rbf(a: &[f64], b: &[f64], d: usize, gamma: f64) -> Mat<f64> {
    let am = MatRef::from_row_major_slice(a, a.len() / d, d);
    let bm = MatRef::from_row_major_slice(b, b.len() / d, d);
    let mut k = Mat::<f64>::zeros(am.nrows(), bm.nrows());
    matmul(
        k.as_mut(),
        Accum::Replace,
        am,
        bm.transpose(),
        1.0,
        Par::Seq,
    );
    let na: Vec<f64> = a
        .chunks_exact(d)
        .map(|r| r.iter().map(|v| v * v).sum())
        .collect();
    let nb: Vec<f64> = b
        .chunks_exact(d)
        .map(|r| r.iter().map(|v| v * v).sum())
        .collect();
    for j in 0..k.ncols() {
        for i in 0..k.nrows() {
            let sq = (na[i] + nb[j] - 2.0 * k[(i, j)]).max(0.0);
            k[(i, j)] = (-gamma * sq).exp();
        }
    }
    k
}

/// Predictions (row-major) for every alpha: solves (K + alpha I) C = Y, then K_test C.
fn fit_predict(
    k_fit: &Mat<f64>,
    k_pred: &Mat<f64>,
    y: &Mat<f64>,
    alphas: &[f64],
) -> Result<Vec<Vec<f64>>> {
    alphas
        .iter()
        .map(|&alpha| {
            let mut reg = k_fit.clone();
            for i in 0..reg.nrows() {
                reg[(i, i)] += alpha;
            }
            let llt = reg.llt(Side::Lower).map_err(|e| {
                HeadsError::Numerical(format!("kernel ridge Cholesky (alpha {alpha}): {e:?}"))
            })?;
            let coef = llt.solve(y);
            let p = k_pred * &coef;
            Ok((0..p.nrows())
                .flat_map(|i| (0..p.ncols()).map(move |j| (i, j)))
                .map(|(i, j)| p[(i, j)])
                .collect())
        })
        .collect()
}

fn target_mat(y: &[f32], idx: &[usize], t: usize) -> Mat<f64> {
    Mat::from_fn(idx.len(), t, |i, j| y[idx[i] * t + j] as f64)
}

fn target_rows(y: &[f32], idx: &[usize], t: usize) -> Vec<f32> {
    idx.iter()
        .flat_map(|&i| y[i * t..(i + 1) * t].iter().copied())
        .collect()
}

/// Test predictions (row-major) of RBF kernel ridge at fixed `alpha`, `gamma` on features
/// standard-scaled with the training statistics.
pub fn kernel_ridge_predict(
    train_x: &[f32],
    train_y: &[f32],
    test_x: &[f32],
    dim: usize,
    alpha: f64,
    gamma: f64,
) -> Result<Vec<f64>> {
    let n = rows_of(train_x, dim, "kernel ridge train features")?;
    let m = rows_of(test_x, dim, "kernel ridge test features")?;
    let t = target_width(n, train_y, None)?;
    let all: Vec<usize> = (0..n).collect();
    let test_idx: Vec<usize> = (0..m).collect();
    let sc = StandardScaler::fit(train_x, dim, &all);
    let (a, b) = (sc.transform(train_x, &all), sc.transform(test_x, &test_idx));
    Ok(fit_predict(
        &rbf(&a, &a, dim, gamma),
        &rbf(&b, &a, dim, gamma),
        &target_mat(train_y, &all, t),
        &[alpha],
    )?
    .remove(0))
}

/// RBF kernel ridge: 5-fold seeded CV over alpha x gamma on standard-scaled features (the scaler
/// fit on each fit split), refit on all training rows, per-output R^2 on the test rows.
/// Targets are row-major; their width is inferred from the row count.
pub fn kernel_ridge_cv(
    train_x: &[f32],
    train_y: &[f32],
    test_x: &[f32],
    test_y: &[f32],
    dim: usize,
    seed: u64,
) -> Result<KernelRidgeResult> {
    let start = Instant::now();
    let n = rows_of(train_x, dim, "kernel ridge train features")?;
    let m = rows_of(test_x, dim, "kernel ridge test features")?;
    let t = target_width(n, train_y, Some((m, test_y)))?;
    for (what, y, w) in [
        ("kernel ridge train targets", train_y, t),
        ("kernel ridge test targets", test_y, t),
    ] {
        if let Some(p) = y.iter().position(|v| !v.is_finite()) {
            return Err(HeadsError::NonFinite {
                what,
                row: p / w,
                col: p % w,
            });
        }
    }
    let alphas = logspace(0.0, -4.0, 5);
    let gammas = logspace(-5.0, 2.0, 8);
    let folds = kfold(n, 5, seed)?;
    // One (fold, gamma) job scores all alphas from one kernel matrix.
    let jobs: Vec<(usize, usize)> = (0..folds.len())
        .flat_map(|f| (0..gammas.len()).map(move |g| (f, g)))
        .collect();
    let scores: Vec<Vec<f64>> = jobs
        .par_iter()
        .map(|&(f, g)| {
            let fold = &folds[f];
            let sc = StandardScaler::fit(train_x, dim, &fold.fit);
            let (a, b) = (
                sc.transform(train_x, &fold.fit),
                sc.transform(train_x, &fold.val),
            );
            let preds = fit_predict(
                &rbf(&a, &a, dim, gammas[g]),
                &rbf(&b, &a, dim, gammas[g]),
                &target_mat(train_y, &fold.fit, t),
                &alphas,
            )?;
            let truth = target_rows(train_y, &fold.val, t);
            Ok(preds.iter().map(|p| metrics::r2(p, &truth, t)).collect())
        })
        .collect::<Result<_>>()?;
    let mut cv = vec![vec![0.0; gammas.len()]; alphas.len()];
    for (&(_, g), s) in jobs.iter().zip(&scores) {
        for (a, v) in s.iter().enumerate() {
            cv[a][g] += v / folds.len() as f64;
        }
    }
    let mut best = (0, 0, f64::NEG_INFINITY);
    for (a, row) in cv.iter().enumerate() {
        for (g, &v) in row.iter().enumerate() {
            if v > best.2 {
                best = (a, g, v);
            }
        }
    }
    let all: Vec<usize> = (0..n).collect();
    let test_idx: Vec<usize> = (0..m).collect();
    let sc = StandardScaler::fit(train_x, dim, &all);
    let (a, b) = (sc.transform(train_x, &all), sc.transform(test_x, &test_idx));
    let (alpha, gamma) = (alphas[best.0], gammas[best.1]);
    let pred = fit_predict(
        &rbf(&a, &a, dim, gamma),
        &rbf(&b, &a, dim, gamma),
        &target_mat(train_y, &all, t),
        &[alpha],
    )?
    .remove(0);
    let r2_per_output = metrics::r2_per_output(&pred, test_y, t);
    let r2 = r2_per_output.iter().sum::<f64>() / t as f64;
    Ok(KernelRidgeResult {
        alpha,
        gamma,
        r2_per_output,
        r2,
        alphas,
        gammas,
        cv_scores: cv,
        n_train: n,
        n_test: m,
        dim,
        seconds: start.elapsed().as_secs_f64(),
    })
}
