//! RBF kernel ridge on standard-scaled inputs with CV over the paper's Causal3DIdent grid
//! (alpha in logspace(0,-4,5), gamma in logspace(-5,2,8)); scikit-learn's `KernelRidge` (no intercept).

use crate::data::{rows_of, target_width};
use crate::error::{HeadsError, Result};
use crate::folds::kfold;
use crate::grid::logspace;
use crate::metrics;
use crate::scaler::StandardScaler;
use crate::simd_state::clear_upper_simd_state;
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
    clear_upper_simd_state();
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

/// Rejects non-finite targets, naming the first one's row and column.
fn check_targets(train_y: &[f32], test_y: &[f32], t: usize) -> Result<()> {
    for (what, y) in [
        ("kernel ridge train targets", train_y),
        ("kernel ridge test targets", test_y),
    ] {
        if let Some(p) = y.iter().position(|v| !v.is_finite()) {
            return Err(HeadsError::NonFinite {
                what,
                row: p / t,
                col: p % t,
            });
        }
    }
    Ok(())
}

/// The CV of every (alpha, gamma) on the paper's grid: `scores[job][alpha][output]` is the
/// validation R^2 of one output, job `jobs[job]` = (fold, gamma index). One kernel matrix and one
/// Cholesky factor per (fold, gamma, alpha) serve every output.
struct GridCv {
    alphas: Vec<f64>,
    gammas: Vec<f64>,
    folds: usize,
    jobs: Vec<(usize, usize)>,
    scores: Vec<Vec<Vec<f64>>>,
}

impl GridCv {
    /// Checks the (features, targets) of both splits and runs the grid; also gives (train
    /// rows, test rows, outputs).
    fn run(
        (train_x, train_y): (&[f32], &[f32]),
        (test_x, test_y): (&[f32], &[f32]),
        dim: usize,
        seed: u64,
    ) -> Result<(Self, (usize, usize, usize))> {
        let n = rows_of(train_x, dim, "kernel ridge train features")?;
        let m = rows_of(test_x, dim, "kernel ridge test features")?;
        let t = target_width(n, train_y, Some((m, test_y)))?;
        check_targets(train_y, test_y, t)?;
        let alphas = logspace(0.0, -4.0, 5);
        let gammas = logspace(-5.0, 2.0, 8);
        let folds = kfold(n, 5, seed)?;
        let jobs: Vec<(usize, usize)> = (0..folds.len())
            .flat_map(|f| (0..gammas.len()).map(move |g| (f, g)))
            .collect();
        let scores = jobs
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
                Ok(preds
                    .iter()
                    .map(|p| metrics::r2_per_output(p, &truth, t))
                    .collect())
            })
            .collect::<Result<_>>()?;
        let grid = GridCv {
            alphas,
            gammas,
            folds: folds.len(),
            jobs,
            scores,
        };
        Ok((grid, (n, m, t)))
    }

    /// Mean CV score `[alpha][gamma]` of `score` applied to each job's per-output R^2.
    fn mean(&self, score: impl Fn(&[f64]) -> f64) -> Vec<Vec<f64>> {
        let mut cv = vec![vec![0.0; self.gammas.len()]; self.alphas.len()];
        for (&(_, g), s) in self.jobs.iter().zip(&self.scores) {
            for (a, per) in s.iter().enumerate() {
                cv[a][g] += score(per) / self.folds as f64;
            }
        }
        cv
    }

    /// The (alpha, gamma) with the best mean CV score (first on ties).
    fn best(&self, cv: &[Vec<f64>]) -> (f64, f64) {
        let mut best = (0, 0, f64::NEG_INFINITY);
        for (a, row) in cv.iter().enumerate() {
            for (g, &v) in row.iter().enumerate() {
                if v > best.2 {
                    best = (a, g, v);
                }
            }
        }
        (self.alphas[best.0], self.gammas[best.1])
    }

    /// The result record of one chosen (alpha, gamma).
    fn result(
        &self,
        cv: Vec<Vec<f64>>,
        (alpha, gamma): (f64, f64),
        r2_per_output: Vec<f64>,
        (n, m, dim): (usize, usize, usize),
        start: Instant,
    ) -> KernelRidgeResult {
        KernelRidgeResult {
            alpha,
            gamma,
            r2: r2_per_output.iter().sum::<f64>() / r2_per_output.len().max(1) as f64,
            r2_per_output,
            alphas: self.alphas.clone(),
            gammas: self.gammas.clone(),
            cv_scores: cv,
            n_train: n,
            n_test: m,
            dim,
            seconds: start.elapsed().as_secs_f64(),
        }
    }
}

/// RBF kernel ridge: 5-fold seeded CV over alpha x gamma on standard-scaled features (the scaler
/// fit on each fit split), refit on all training rows, per-output R^2 on the test rows.
/// Targets are row-major; their width is inferred from the row count. One (alpha, gamma) serves
/// all outputs, chosen by their mean R^2.
pub fn kernel_ridge_cv(
    train_x: &[f32],
    train_y: &[f32],
    test_x: &[f32],
    test_y: &[f32],
    dim: usize,
    seed: u64,
) -> Result<KernelRidgeResult> {
    let start = Instant::now();
    let (grid, (n, m, t)) = GridCv::run((train_x, train_y), (test_x, test_y), dim, seed)?;
    let cv = grid.mean(|per| per.iter().sum::<f64>() / per.len().max(1) as f64);
    let (alpha, gamma) = grid.best(&cv);
    let pred = kernel_ridge_predict(train_x, train_y, test_x, dim, alpha, gamma)?;
    let r2_per_output = metrics::r2_per_output(&pred, test_y, t);
    Ok(grid.result(cv, (alpha, gamma), r2_per_output, (n, m, dim), start))
}

/// [`kernel_ridge_cv`] for each output on its own (its own alpha and gamma, as scikit-learn's
/// `GridSearchCV` run once per target), at the cost of one: the kernels and Cholesky factors
/// are shared by all outputs. `seconds` is the wall time of the whole call.
pub fn kernel_ridge_cv_each(
    train_x: &[f32],
    train_y: &[f32],
    test_x: &[f32],
    test_y: &[f32],
    dim: usize,
    seed: u64,
) -> Result<Vec<KernelRidgeResult>> {
    let start = Instant::now();
    let (grid, (n, m, t)) = GridCv::run((train_x, train_y), (test_x, test_y), dim, seed)?;
    let cvs: Vec<Vec<Vec<f64>>> = (0..t).map(|o| grid.mean(|per| per[o])).collect();
    let chosen: Vec<(f64, f64)> = cvs.iter().map(|cv| grid.best(cv)).collect();
    // One refit per distinct (alpha, gamma), each predicting every output.
    let mut r2 = vec![0.0; t];
    let mut done = vec![false; t];
    for o in 0..t {
        if done[o] {
            continue;
        }
        let (alpha, gamma) = chosen[o];
        let pred = kernel_ridge_predict(train_x, train_y, test_x, dim, alpha, gamma)?;
        let per = metrics::r2_per_output(&pred, test_y, t);
        for p in o..t {
            if chosen[p] == chosen[o] {
                r2[p] = per[p];
                done[p] = true;
            }
        }
    }
    Ok(cvs
        .into_iter()
        .zip(chosen)
        .zip(r2)
        .map(|((cv, ag), r)| grid.result(cv, ag, vec![r], (n, m, dim), start))
        .collect())
}
