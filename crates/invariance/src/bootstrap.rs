//! 95 % intervals for invariance means by a seeded bootstrap over images (or view groups):
//! resample the images with replacement and recompute the same statistic.

use sslinv_heads::{BootstrapConfig, HeadsError, Interval, bootstrap};

use crate::error::{InvarianceError, Result};
use crate::stats::FeatureStats;

fn upstream(e: HeadsError) -> InvarianceError {
    InvarianceError::Upstream {
        context: "bootstrap interval".into(),
        message: e.to_string(),
    }
}

/// Per-image, per-setting scores of a sweep: `similarity[i * k + j]` and `distance[i * k + j]`
/// compare image `i`'s clean view with its setting `j` (NaN where the paper's metric is
/// undefined, as for a zero feature).
#[derive(Clone, Debug, PartialEq)]
pub struct PerImageScores {
    /// Whitened cosine similarities, n x k row-major.
    pub similarity: Vec<f64>,
    /// Mahalanobis distances, n x k row-major.
    pub distance: Vec<f64>,
    /// Images.
    pub n_images: usize,
    /// Settings per image.
    pub k: usize,
}

/// The per-image scores behind [`crate::score_sweep`], from clean rows (n x D) and view rows
/// (n x k x D).
pub fn per_image_scores(
    stats: &FeatureStats,
    clean: &[f32],
    views: &[f32],
    n_images: usize,
    k: usize,
) -> Result<PerImageScores> {
    let pairs = crate::sweep_scores::whitened_pairs(stats, clean, views, n_images, k)?;
    let flat = pairs.iter().flatten();
    Ok(PerImageScores {
        similarity: flat.clone().map(|p| p.0 as f64).collect(),
        distance: flat.map(|p| p.1 as f64).collect(),
        n_images,
        k,
    })
}

/// The sweep statistic on the images `idx`: per setting the mean over images (NaN skipped),
/// then the mean over settings; NaN when a setting has no finite value.
pub fn sweep_mean(per_image: &[f64], k: usize, idx: &[usize]) -> f64 {
    let mut total = 0.0;
    for j in 0..k {
        let (mut s, mut n) = (0.0, 0usize);
        for &i in idx {
            let v = per_image[i * k + j];
            if v.is_finite() {
                s += v;
                n += 1;
            }
        }
        if n == 0 {
            return f64::NAN;
        }
        total += s / n as f64;
    }
    total / k.max(1) as f64
}

/// Interval of a sweep's mean score (`SweepScores::mean_similarity` or `mean_distance`) over
/// resamples of its images; `per_image` is n x k row-major.
pub fn sweep_interval(
    per_image: &[f64],
    n_images: usize,
    k: usize,
    cfg: &BootstrapConfig,
) -> Result<Interval> {
    InvarianceError::check_len("per-image scores", n_images * k, per_image.len())?;
    if k == 0 {
        return Err(InvarianceError::Invalid("a sweep with 0 settings".into()));
    }
    bootstrap(n_images, cfg, |idx| sweep_mean(per_image, k, idx)).map_err(upstream)
}

/// Interval of the mean of per-image (or per-group) values, such as multi-view group
/// similarities.
pub fn mean_interval(values: &[f64], cfg: &BootstrapConfig) -> Result<Interval> {
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(InvarianceError::Invalid(format!(
            "value {i} of the mean is not finite"
        )));
    }
    bootstrap(values.len(), cfg, |idx| {
        idx.iter().map(|&i| values[i]).sum::<f64>() / idx.len() as f64
    })
    .map_err(upstream)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score_sweep;

    #[test]
    fn sweep_mean_on_all_images_is_the_sweep_score() {
        let (n, k, d) = (40, 3, 4);
        let val = |i: usize| ((i * 7919) % 97) as f32 / 97.0 - 0.5;
        let stats_rows: Vec<f32> = (0..200 * d).map(val).collect();
        let stats = FeatureStats::from_features(&stats_rows, 200, d).unwrap();
        let clean: Vec<f32> = (0..n * d).map(|i| val(i + 11)).collect();
        let views: Vec<f32> = (0..n * k * d).map(|i| val(i + 5)).collect();
        let per = per_image_scores(&stats, &clean, &views, n, k).unwrap();
        let whole = score_sweep(&stats, &clean, &views, n, k).unwrap();
        let all: Vec<usize> = (0..n).collect();
        assert!((sweep_mean(&per.similarity, k, &all) - whole.mean_similarity).abs() < 1e-9);
        assert!((sweep_mean(&per.distance, k, &all) - whole.mean_distance).abs() < 1e-9);
        let ci = sweep_interval(&per.similarity, n, k, &BootstrapConfig::default()).unwrap();
        assert!(ci.contains(whole.mean_similarity), "{ci:?}");
    }

    #[test]
    fn mean_interval_has_the_normal_width() {
        // 0/1 values with p = 0.5 over 400 images: standard error 0.025, 95 % width about 0.098.
        let values: Vec<f64> = (0..400).map(|i| (i % 2) as f64).collect();
        let ci = mean_interval(&values, &BootstrapConfig::default()).unwrap();
        assert!(
            ci.contains(0.5) && (ci.high - ci.low - 0.098).abs() < 0.02,
            "{ci:?}"
        );
        assert!(mean_interval(&[1.0, f64::NAN], &BootstrapConfig::default()).is_err());
        assert!(mean_interval(&[], &BootstrapConfig::default()).is_err());
    }
}
