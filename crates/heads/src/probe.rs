//! The probe protocol: seeded k-fold CV over the regularisation grid (first best on ties),
//! refit on all training rows, score on the test rows; the fold loop, grid and bootstrap are
//! shared here, the regression path is `probe_regression.rs`.

use crate::bootstrap::{BootstrapConfig, Interval, Predictions, score_interval};
use crate::data::{gather, rows_of};
use crate::error::{HeadsError, Result};
use crate::folds::{Fold, holdout, kfold};
use crate::grid::paper_grid;
use crate::labels::{ClassIndex, Labels};
use crate::lbfgs::LbfgsOptions;
use crate::logistic::{LogisticModel, LogisticProblem};
use crate::metrics::{self, Metric};
use crate::probe_regression::regress;
use faer::Par;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Which kind of head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Task {
    /// Multinomial logistic regression on class labels.
    Classification,
    /// Multi-output ridge regression on real targets.
    Regression,
}

/// How to run a probe.
#[derive(Debug, Clone)]
pub struct ProbeConfig {
    /// Classification or regression.
    pub task: Task,
    /// The score used for CV selection and on test.
    pub metric: Metric,
    /// CV folds (at least 2).
    pub folds: usize,
    /// The grid shift c of logspace(-6 + 2c, 5 + 2c, 45).
    pub grid_shift: f64,
    /// A fixed lambda: skips CV.
    pub lambda: Option<f64>,
    /// Seed of the fold shuffle.
    pub seed: u64,
    /// Ridge alpha = 1/lambda as the paper's script (classification is unaffected).
    pub paper_grid: bool,
}

impl Default for ProbeConfig {
    fn default() -> Self {
        Self {
            task: Task::Classification,
            metric: Metric::Accuracy,
            folds: 5,
            grid_shift: 0.0,
            lambda: None,
            seed: 0,
            paper_grid: false,
        }
    }
}

/// What a probe found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProbeResult {
    /// The metric on the test rows.
    pub test_score: f64,
    /// The chosen (or given) lambda.
    pub lambda: f64,
    /// The lambda grid searched (empty with a fixed lambda).
    pub grid: Vec<f64>,
    /// Mean CV score per grid value.
    pub cv_scores: Vec<f64>,
    /// The metric.
    pub metric: Metric,
    /// The task.
    pub task: Task,
    /// Test R^2 of each output (regression only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r2_per_output: Option<Vec<f64>>,
    /// Training rows.
    pub n_train: usize,
    /// Test rows.
    pub n_test: usize,
    /// Feature dimension.
    pub dim: usize,
    /// CV folds used (0 with a fixed lambda).
    pub folds: usize,
    /// Wall time of the whole probe.
    pub seconds: f64,
    /// 95 % percentile-bootstrap interval of `test_score` over the test rows (1000 resamples
    /// seeded by the probe's seed).
    pub ci95: Option<Interval>,
    /// The final model's test predictions, in test order (not serialised).
    #[serde(skip)]
    pub test_predictions: Predictions,
}

/// L-BFGS rules along the CV path: the paper's 100 iterations per value and scikit-learn's
/// gradient tolerance, measured on the preconditioned gradient, which magnifies the weakly
/// penalised directions, so warm-started weak penalties still move.
const CV_OPTS: LbfgsOptions = LbfgsOptions {
    max_iter: 100,
    gtol: 1e-4,
    ftol: 64.0 * f64::EPSILON,
    memory: 10,
};
/// L-BFGS rules for the final fit: tighter, so the optimum is converged.
const FINAL_OPTS: LbfgsOptions = LbfgsOptions {
    max_iter: 2000,
    gtol: 1e-6,
    ftol: 64.0 * f64::EPSILON,
    memory: 10,
};

/// Fits the probe on the training rows and scores it on the test rows.
pub fn probe(
    train_x: &[f32],
    train_y: &Labels,
    test_x: &[f32],
    test_y: &Labels,
    dim: usize,
    cfg: &ProbeConfig,
) -> Result<ProbeResult> {
    probe_split(train_x, train_y, test_x, test_y, dim, cfg, None)
}

/// The probe with a dataset's own validation split instead of k-fold CV: the last `val_rows`
/// training rows score the grid (fit on the rows before them), then the chosen lambda is refit
/// on all training rows and scored on the test rows.
pub fn probe_with_validation(
    train_x: &[f32],
    train_y: &Labels,
    test_x: &[f32],
    test_y: &Labels,
    dim: usize,
    val_rows: usize,
    cfg: &ProbeConfig,
) -> Result<ProbeResult> {
    probe_split(train_x, train_y, test_x, test_y, dim, cfg, Some(val_rows))
}

/// The selection folds: seeded k-fold, or the fixed validation split.
pub(crate) fn selection_folds(
    n: usize,
    cfg: &ProbeConfig,
    val_rows: Option<usize>,
) -> Result<Vec<Fold>> {
    match val_rows {
        Some(v) => holdout(n, v),
        None => kfold(n, cfg.folds, cfg.seed),
    }
}

#[allow(clippy::too_many_arguments)]
fn probe_split(
    train_x: &[f32],
    train_y: &Labels,
    test_x: &[f32],
    test_y: &Labels,
    dim: usize,
    cfg: &ProbeConfig,
    val_rows: Option<usize>,
) -> Result<ProbeResult> {
    let start = Instant::now();
    let n_train = rows_of(train_x, dim, "training features")?;
    let n_test = rows_of(test_x, dim, "test features")?;
    train_y.check(n_train, "training labels")?;
    test_y.check(n_test, "test labels")?;
    if let Some(l) = cfg.lambda
        && !(l.is_finite() && l > 0.0)
    {
        return Err(HeadsError::Config(format!(
            "lambda must be positive and finite, got {l}"
        )));
    }
    let grid = if cfg.lambda.is_some() {
        Vec::new()
    } else {
        paper_grid(cfg.grid_shift)
    };
    let (cv_scores, lambda, test_score, r2_per_output, test_predictions) =
        match (cfg.task, train_y, test_y) {
            (Task::Classification, Labels::Classes(ytr), Labels::Classes(yte)) => {
                if !cfg.metric.is_classification() {
                    return Err(HeadsError::Config(format!(
                        "metric `{}` does not score classification",
                        cfg.metric.name()
                    )));
                }
                let (cv, lambda, score, pred) =
                    classify(train_x, ytr, test_x, yte, dim, &grid, cfg, val_rows)?;
                (cv, lambda, score, None, Predictions::Classes(pred))
            }
            (
                Task::Regression,
                Labels::Targets {
                    values: ytr,
                    dim: t,
                },
                Labels::Targets {
                    values: yte,
                    dim: t2,
                },
            ) => {
                if cfg.metric.is_classification() {
                    return Err(HeadsError::Config(format!(
                        "metric `{}` does not score regression",
                        cfg.metric.name()
                    )));
                }
                if t != t2 {
                    return Err(HeadsError::Shape(format!(
                        "{t} training targets per row but {t2} test targets"
                    )));
                }
                let (cv, lambda, score, per, pred) =
                    regress(train_x, ytr, test_x, yte, dim, *t, &grid, cfg, val_rows)?;
                let pred = Predictions::Values {
                    values: pred,
                    dim: *t,
                };
                (cv, lambda, score, Some(per), pred)
            }
            (Task::Classification, _, _) => {
                return Err(HeadsError::Config(
                    "classification needs class labels (N i64) for both splits".into(),
                ));
            }
            (Task::Regression, _, _) => {
                return Err(HeadsError::Config(
                    "regression needs real targets (N x T f32) for both splits".into(),
                ));
            }
        };
    let boot = BootstrapConfig {
        seed: cfg.seed,
        ..BootstrapConfig::default()
    };
    let ci95 = Some(score_interval(
        &test_predictions,
        test_y,
        cfg.metric,
        &boot,
    )?);
    Ok(ProbeResult {
        test_score,
        lambda,
        grid,
        cv_scores,
        metric: cfg.metric,
        task: cfg.task,
        r2_per_output,
        n_train,
        n_test,
        dim,
        folds: match (cfg.lambda, val_rows) {
            (Some(_), _) => 0,
            (None, Some(_)) => 1,
            (None, None) => cfg.folds,
        },
        seconds: start.elapsed().as_secs_f64(),
        ci95,
        test_predictions,
    })
}

/// Index of the best mean score, the first on ties.
pub(crate) fn first_best(scores: &[f64], metric: Metric) -> usize {
    let mut best = 0;
    for (i, &s) in scores.iter().enumerate() {
        let better = if metric.greater_is_better() {
            s > scores[best]
        } else {
            s < scores[best]
        };
        if better {
            best = i;
        }
    }
    best
}

/// Per grid value, the mean of its scores over the folds.
pub(crate) fn mean_over_folds(per_fold: &[Vec<f64>]) -> Vec<f64> {
    let k = per_fold.len() as f64;
    (0..per_fold[0].len())
        .map(|i| per_fold.iter().map(|f| f[i]).sum::<f64>() / k)
        .collect()
}

fn class_score(metric: Metric, pred: &[i64], truth: &[i64]) -> f64 {
    match metric {
        Metric::MeanPerClass => metrics::mean_per_class_accuracy(pred, truth),
        _ => metrics::accuracy(pred, truth),
    }
}

/// Logistic regression along the grid from the strongest penalty down, each fit warm-starting the next.
fn logistic_path(problem: &LogisticProblem, grid: &[f64]) -> Vec<LogisticModel> {
    let mut models: Vec<Option<LogisticModel>> = vec![None; grid.len()];
    let mut order: Vec<usize> = (0..grid.len()).collect();
    order.sort_by(|&a, &b| grid[b].total_cmp(&grid[a]));
    let mut prev: Option<LogisticModel> = None;
    for i in order {
        let (m, _) = problem.fit(grid[i], prev.as_ref(), CV_OPTS);
        prev = Some(m.clone());
        models[i] = Some(m);
    }
    models.into_iter().flatten().collect()
}

#[allow(clippy::too_many_arguments)]
fn classify(
    train_x: &[f32],
    ytr: &[i64],
    test_x: &[f32],
    yte: &[i64],
    dim: usize,
    grid: &[f64],
    cfg: &ProbeConfig,
    val_rows: Option<usize>,
) -> Result<(Vec<f64>, f64, f64, Vec<i64>)> {
    let index = ClassIndex::fit(ytr)?;
    let k = index.classes.len();
    let y_idx: Vec<usize> = index.encode(ytr).into_iter().flatten().collect();
    let (cv, lambda) = match cfg.lambda {
        Some(l) => (Vec::new(), l),
        None => {
            let folds = selection_folds(train_x.len() / dim, cfg, val_rows)?;
            let per_fold: Vec<Vec<f64>> = folds
                .par_iter()
                .map(|fold| {
                    let x_fit = gather(train_x, dim, &fold.fit);
                    let y_fit: Vec<usize> = fold.fit.iter().map(|&i| y_idx[i]).collect();
                    let x_val = gather(train_x, dim, &fold.val);
                    let y_val: Vec<i64> = fold.val.iter().map(|&i| ytr[i]).collect();
                    let problem = LogisticProblem::new(&x_fit, dim, y_fit, k, Par::Seq);
                    logistic_path(&problem, grid)
                        .iter()
                        .map(|m| {
                            let pred: Vec<i64> = m
                                .predict(&x_val, Par::Seq)
                                .into_iter()
                                .map(|c| index.classes[c])
                                .collect();
                            class_score(cfg.metric, &pred, &y_val)
                        })
                        .collect()
                })
                .collect();
            let cv = mean_over_folds(&per_fold);
            let best = first_best(&cv, cfg.metric);
            (cv, grid[best])
        }
    };
    let par = Par::rayon(0);
    let problem = LogisticProblem::new(train_x, dim, y_idx, k, par);
    let (model, _) = problem.fit(lambda, None, FINAL_OPTS);
    let pred: Vec<i64> = model
        .predict(test_x, par)
        .into_iter()
        .map(|c| index.classes[c])
        .collect();
    let score = class_score(cfg.metric, &pred, yte);
    Ok((cv, lambda, score, pred))
}
