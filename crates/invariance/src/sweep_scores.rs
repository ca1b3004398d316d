//! Aggregation of a synthetic sweep: per setting, the mean over images (NaN skipped, as the
//! paper's `np.nanmean`) of the clean-vs-view similarity and distance, then the mean over
//! settings (identity included).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{InvarianceError, Result};
use crate::metrics::compare_to_clean;
use crate::stats::FeatureStats;

/// Per-setting similarity and distance of a sweep, averaged over images.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SweepScores {
    /// Mean whitened cosine similarity per setting.
    pub similarity: Vec<f64>,
    /// Mean Mahalanobis distance per setting.
    pub distance: Vec<f64>,
    /// Mean of `similarity` over settings.
    pub mean_similarity: f64,
    /// Mean of `distance` over settings.
    pub mean_distance: f64,
    /// Images the means are over.
    pub n_images: usize,
}

/// Accumulates per-image scores of a k-setting sweep, image by image.
#[derive(Clone, Debug)]
pub struct SweepAccumulator {
    k: usize,
    sim: Vec<(f64, usize)>,
    dist: Vec<(f64, usize)>,
    n_images: usize,
}

impl SweepAccumulator {
    /// An empty accumulator for `k` settings.
    pub fn new(k: usize) -> Self {
        Self {
            k,
            sim: vec![(0.0, 0); k],
            dist: vec![(0.0, 0); k],
            n_images: 0,
        }
    }

    /// Adds one image: its clean feature row and its `k` view rows (row-major), whitened together
    /// in one matrix product.
    pub fn push(&mut self, stats: &FeatureStats, clean: &[f32], views: &[f32]) -> Result<()> {
        let d = stats.dim;
        InvarianceError::check_len("clean feature", d, clean.len())?;
        InvarianceError::check_len("view features", self.k * d, views.len())?;
        let mut rows = Vec::with_capacity((self.k + 1) * d);
        rows.extend_from_slice(clean);
        rows.extend_from_slice(views);
        let z = stats.whiten(&rows, self.k + 1)?;
        self.push_whitened(&z[..d], &z[d..], d);
        Ok(())
    }

    /// Adds one image from already whitened rows.
    pub fn push_whitened(&mut self, z_clean: &[f32], z_views: &[f32], dim: usize) {
        self.push_pairs(&compare_to_clean(z_clean, z_views, dim));
    }

    /// Adds one image from its per-setting (similarity, distance) pairs.
    fn push_pairs(&mut self, pairs: &[(f32, f32)]) {
        for (j, &(s, l)) in pairs.iter().enumerate().take(self.k) {
            if s.is_finite() {
                self.sim[j].0 += s as f64;
                self.sim[j].1 += 1;
            }
            if l.is_finite() {
                self.dist[j].0 += l as f64;
                self.dist[j].1 += 1;
            }
        }
        self.n_images += 1;
    }

    /// Per-setting means and their means.
    pub fn finish(&self) -> SweepScores {
        let means = |v: &[(f64, usize)]| -> Vec<f64> {
            v.iter()
                .map(|&(s, n)| if n == 0 { f64::NAN } else { s / n as f64 })
                .collect()
        };
        let similarity = means(&self.sim);
        let distance = means(&self.dist);
        let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        SweepScores {
            mean_similarity: avg(&similarity),
            mean_distance: avg(&distance),
            similarity,
            distance,
            n_images: self.n_images,
        }
    }
}

/// (similarity, distance) of every view to its clean image, per image: the rows whitened in
/// one matrix product each.
pub(crate) fn whitened_pairs(
    stats: &FeatureStats,
    clean: &[f32],
    views: &[f32],
    n_images: usize,
    k: usize,
) -> Result<Vec<Vec<(f32, f32)>>> {
    let d = stats.dim;
    InvarianceError::check_len("clean features", n_images * d, clean.len())?;
    InvarianceError::check_len("view features", n_images * k * d, views.len())?;
    let zc = stats.whiten(clean, n_images)?;
    let zv = stats.whiten(views, n_images * k)?;
    Ok((0..n_images)
        .into_par_iter()
        .map(|i| compare_to_clean(&zc[i * d..(i + 1) * d], &zv[i * k * d..(i + 1) * k * d], d))
        .collect())
}

/// Scores `n_images` images from their clean rows (n x D) and view rows (n x k x D), whitening
/// all rows in one matrix product.
pub fn score_sweep(
    stats: &FeatureStats,
    clean: &[f32],
    views: &[f32],
    n_images: usize,
    k: usize,
) -> Result<SweepScores> {
    let pairs = whitened_pairs(stats, clean, views, n_images, k)?;
    let mut acc = SweepAccumulator::new(k);
    // Accumulated in image order whatever the thread count, so sums are deterministic.
    for p in &pairs {
        acc.push_pairs(p);
    }
    Ok(acc.finish())
}
