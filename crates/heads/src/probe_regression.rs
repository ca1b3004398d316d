//! The regression path of the probe: ridge along the whole grid from one factorisation per
//! fold, scored by R^2 (or MSE), refit on all training rows.

use crate::data::gather;
use crate::error::Result;
use crate::metrics::{self, Metric};
use crate::probe::{ProbeConfig, first_best, mean_over_folds, selection_folds};
use crate::ridge::RidgePath;
use rayon::prelude::*;

/// The probe's score of regression predictions.
pub(crate) fn reg_score(metric: Metric, pred: &[f64], truth: &[f32], t: usize) -> f64 {
    match metric {
        Metric::Mse => metrics::mse(pred, truth),
        _ => metrics::r2(pred, truth, t),
    }
}

/// CV scores, chosen lambda, test score, per-output test R^2, test predictions.
pub(crate) type RegressionFit = (Vec<f64>, f64, f64, Vec<f64>, Vec<f64>);

/// Selects lambda by CV (unless fixed), refits and scores the test rows.
#[allow(clippy::too_many_arguments)]
pub(crate) fn regress(
    train_x: &[f32],
    ytr: &[f32],
    test_x: &[f32],
    yte: &[f32],
    dim: usize,
    t: usize,
    grid: &[f64],
    cfg: &ProbeConfig,
    val_rows: Option<usize>,
) -> Result<RegressionFit> {
    let alpha_of = |l: f64| if cfg.paper_grid { 1.0 / l } else { l };
    let (cv, lambda) = match cfg.lambda {
        Some(l) => (Vec::new(), l),
        None => {
            let folds = selection_folds(train_x.len() / dim, cfg, val_rows)?;
            let alphas: Vec<f64> = grid.iter().map(|&l| alpha_of(l)).collect();
            let per_fold: Vec<Vec<f64>> = folds
                .par_iter()
                .map(|fold| {
                    let x_fit = gather(train_x, dim, &fold.fit);
                    let y_fit = gather(ytr, t, &fold.fit);
                    let truth = gather(ytr, t, &fold.val);
                    let path = RidgePath::fit(&x_fit, &y_fit, dim, t)?;
                    let preds = path.predict_path(&gather(train_x, dim, &fold.val), &alphas);
                    Ok(preds
                        .iter()
                        .map(|p| reg_score(cfg.metric, p, &truth, t))
                        .collect())
                })
                .collect::<Result<_>>()?;
            let cv = mean_over_folds(&per_fold);
            let best = first_best(&cv, cfg.metric);
            (cv, grid[best])
        }
    };
    let path = RidgePath::fit(train_x, ytr, dim, t)?;
    let pred = path.predict(test_x, alpha_of(lambda));
    Ok((
        cv,
        lambda,
        reg_score(cfg.metric, &pred, yte, t),
        metrics::r2_per_output(&pred, yte, t),
        pred,
    ))
}
