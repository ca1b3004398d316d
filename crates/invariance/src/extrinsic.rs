//! Extrinsic invariance (the paper's Causal3DIdent experiment): how well RBF kernel ridge on
//! frozen features recovers each latent (test R^2, CV over the paper's alpha x gamma grid).

use std::time::Instant;

use image::RgbImage;
use serde::{Deserialize, Serialize};
use sslinv_augment::Preprocess;

use crate::error::{InvarianceError, Result};
use crate::features::{FeatureFn, batched_features};

/// The fit for one latent.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LatentScore {
    /// Latent name (or index).
    pub latent: String,
    /// Test R^2.
    pub r2: f64,
    /// Chosen ridge strength.
    pub alpha: f64,
    /// Chosen RBF width.
    pub gamma: f64,
}

/// The `invariance extrinsic` result file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ExtrinsicResult {
    /// Dataset.
    pub dataset: String,
    /// Model spec.
    pub model: String,
    /// The requested target (`all`, an index or a name).
    pub target: String,
    /// Mean test R^2 over the latents.
    pub r2: f64,
    /// Per-latent fits (each latent cross-validated on its own, as the paper).
    pub latents: Vec<LatentScore>,
    /// Training rows.
    pub n_train: usize,
    /// Test rows.
    pub n_test: usize,
    /// Feature dimension.
    pub dim: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl std::fmt::Display for ExtrinsicResult {
    /// A line per latent: R^2 and the selected kernel ridge hyper-parameters.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for l in &self.latents {
            let (name, r2, alpha, gamma) = (&l.latent, l.r2, l.alpha, l.gamma);
            writeln!(
                f,
                "{name:>20}: R^2 {r2:.4} (alpha {alpha:.0e}, gamma {gamma:.0e})"
            )?;
        }
        Ok(())
    }
}

/// Fits each selected latent column of row-major targets (`names.len()` columns) separately.
#[allow(clippy::too_many_arguments)]
pub fn score_features(
    train_x: &[f32],
    train_y: &[f32],
    test_x: &[f32],
    test_y: &[f32],
    dim: usize,
    names: &[String],
    columns: &[usize],
    seed: u64,
) -> Result<Vec<LatentScore>> {
    let t = names.len();
    let (n, m) = (train_x.len() / dim.max(1), test_x.len() / dim.max(1));
    InvarianceError::check_len("train targets", n * t, train_y.len())?;
    InvarianceError::check_len("test targets", m * t, test_y.len())?;
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(&c) = columns.iter().find(|&&c| c >= t) {
        return Err(InvarianceError::Invalid(format!("latent {c} of {t}")));
    }
    // The selected columns, row-major, fitted together: each keeps its own CV (as the paper's
    // one GridSearchCV per latent) while the kernels and factorisations are computed once.
    let pick = |y: &[f32]| -> Vec<f32> {
        y.chunks_exact(t.max(1))
            .flat_map(|row| columns.iter().map(|&c| row[c]))
            .collect()
    };
    let fits = sslinv_heads::kernel_ridge_cv_each(
        train_x,
        &pick(train_y),
        test_x,
        &pick(test_y),
        dim,
        seed,
    )
    .map_err(|source| InvarianceError::Heads {
        context: format!(
            "kernel ridge on {}",
            columns
                .iter()
                .map(|&c| names[c].as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        source,
    })?;
    Ok(columns
        .iter()
        .zip(fits)
        .map(|(&c, r)| LatentScore {
            latent: names[c].clone(),
            r2: r.r2,
            alpha: r.alpha,
            gamma: r.gamma,
        })
        .collect())
}

/// Column indices for a target spec: `all`, an index, or a latent name.
pub fn select_latents(target: &str, names: &[String]) -> Result<Vec<usize>> {
    if target == "all" {
        return Ok((0..names.len()).collect());
    }
    if let Ok(i) = target.parse::<usize>()
        && i < names.len()
    {
        return Ok(vec![i]);
    }
    names
        .iter()
        .position(|n| n == target)
        .map(|i| vec![i])
        .ok_or_else(|| {
            InvarianceError::Invalid(format!(
                "unknown target `{target}` (all, 0..{}, or {})",
                names.len(),
                names.join(", ")
            ))
        })
}

/// Extrinsic invariance of in-memory images with row-major latent targets.
#[allow(clippy::too_many_arguments)]
pub fn run_with(
    features: &mut dyn FeatureFn,
    train: (&[RgbImage], &[f32]),
    test: (&[RgbImage], &[f32]),
    names: &[String],
    target: &str,
    prep: &Preprocess,
    batch: usize,
    seed: u64,
    dataset: &str,
    model: &str,
) -> Result<ExtrinsicResult> {
    let start = Instant::now();
    let columns = select_latents(target, names)?;
    let mut features_of = |part: &str, ims: &[RgbImage]| {
        use rayon::prelude::*;
        let prepared: Vec<RgbImage> = ims.par_iter().map(|im| prep.image(im)).collect();
        let source = format!("{model} on {dataset} {part}");
        batched_features(features, &prepared, batch, &source)
    };
    let train_x = features_of("train", train.0)?;
    let test_x = features_of("test", test.0)?;
    let dim = features.dim();
    let latents = score_features(
        &train_x, train.1, &test_x, test.1, dim, names, &columns, seed,
    )?;
    Ok(ExtrinsicResult {
        dataset: dataset.to_string(),
        model: model.to_string(),
        target: target.to_string(),
        r2: latents.iter().map(|l| l.r2).sum::<f64>() / latents.len().max(1) as f64,
        latents,
        n_train: train.0.len(),
        n_test: test.0.len(),
        dim,
        seconds: start.elapsed().as_secs_f64(),
    })
}
