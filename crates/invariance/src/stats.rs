//! Feature statistics: mean, covariance (N-1), and the lower Cholesky factor L of the inverse
//! covariance (L L^T = Sigma^-1), with which the paper whitens: z = (mu - f) L.

use faer::linalg::solvers::DenseSolveCore;
use faer::{Mat, Side};
use serde::{Deserialize, Serialize};

use crate::accumulate::{Moments, StatsAccumulator};
use crate::error::{InvarianceError, Result};
use crate::shrinkage::{diagonal_intensity, shrink};

/// Smallest accepted ratio of a Cholesky pivot to the largest variance: below it the matrix is
/// treated as singular (numerically PD but useless for whitening).
const MIN_PIVOT_RATIO: f64 = 1e-10;

/// Mean, covariance and whitening factor of a reference feature set.
#[derive(Clone, Debug)]
pub struct FeatureStats {
    /// Number of feature rows the statistics come from.
    pub count: usize,
    /// Feature dimension D.
    pub dim: usize,
    /// Mean feature (D).
    pub mean: Vec<f64>,
    /// Covariance as used (N-1, shrinkage and ridge applied), row-major D x D.
    pub covariance: Vec<f64>,
    /// Off-diagonal shrinkage toward the diagonal, in [0, 1] (0: none).
    pub shrinkage: f64,
    /// Value added to the diagonal of zero-variance features (or of all, as a last resort; 0: none).
    pub ridge: f64,
    /// Lower Cholesky factor L of the inverse covariance, row-major D x D (f64).
    pub whitening: Vec<f64>,
    whitening32: Vec<f32>,
    /// mu L in f32 (computed in f64), the whitened offset every row starts from.
    mean_white32: Vec<f32>,
}

/// The part of the statistics that results report.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StatsSummary {
    /// Number of feature rows.
    pub count: usize,
    /// Feature dimension.
    pub dim: usize,
    /// Off-diagonal shrinkage toward the diagonal (0: none).
    pub shrinkage: f64,
    /// Ridge added to the diagonal (0: none).
    pub ridge: f64,
}

impl FeatureStats {
    /// Statistics of `n` row-major `d`-d feature rows (one streaming pass, f64).
    pub fn from_features(features: &[f32], n: usize, d: usize) -> Result<Self> {
        let mut acc = StatsAccumulator::new(d, "features");
        acc.push(features, n)?;
        acc.finish()
    }

    /// Rebuilds statistics from a stored mean, covariance (already shrunk) and L factor.
    pub fn from_parts(
        count: usize,
        mean: Vec<f64>,
        covariance: Vec<f64>,
        whitening: Vec<f64>,
        shrinkage: f64,
        ridge: f64,
    ) -> Result<Self> {
        let d = mean.len();
        InvarianceError::check_len("covariance", d * d, covariance.len())?;
        InvarianceError::check_len("whitening factor", d * d, whitening.len())?;
        let whitening32 = whitening.iter().map(|&v| v as f32).collect();
        let mean_white32 = (0..d)
            .map(|j| (0..d).map(|i| mean[i] * whitening[i * d + j]).sum::<f64>() as f32)
            .collect();
        Ok(Self {
            count,
            dim: d,
            mean,
            covariance,
            shrinkage,
            ridge,
            whitening,
            whitening32,
            mean_white32,
        })
    }

    pub(crate) fn from_moments(m: &Moments) -> Result<Self> {
        let d = m.scatter.nrows();
        if m.count < 2 {
            return Err(InvarianceError::TooFew(format!(
                "feature statistics need at least 2 rows, got {}",
                m.count
            )));
        }
        let scale = 1.0 / (m.count as f64 - 1.0);
        let cov = Mat::<f64>::from_fn(d, d, |i, j| m.scatter[(i, j)] * scale);
        let (cov, shrinkage, ridge, llt) = regularise(&cov, m.count, || diagonal_intensity(m))?;
        let mut precision = llt.inverse();
        symmetrise(&mut precision);
        let factor = precision
            .llt(Side::Lower)
            .map_err(|e| InvarianceError::Degenerate {
                dim: d,
                reason: format!("Cholesky of the inverse covariance failed: {e:?}"),
            })?;
        let l = factor.L();
        let whitening = (0..d * d).map(|k| l[(k / d, k % d)]).collect();
        let covariance = (0..d * d).map(|k| cov[(k / d, k % d)]).collect();
        Self::from_parts(
            m.count,
            m.mean.clone(),
            covariance,
            whitening,
            shrinkage,
            ridge,
        )
    }

    /// Count, dimension and regularisation, for results.
    pub fn summary(&self) -> StatsSummary {
        StatsSummary {
            count: self.count,
            dim: self.dim,
            shrinkage: self.shrinkage,
            ridge: self.ridge,
        }
    }

    /// Whitened features z = (mu - f) L of `n` row-major rows, as one matrix product (f32).
    pub fn whiten(&self, features: &[f32], n: usize) -> Result<Vec<f32>> {
        let d = self.dim;
        InvarianceError::check_len("features to whiten", n * d, features.len())?;
        let mut out = vec![0f32; n * d];
        if n == 0 || d == 0 {
            return Ok(out);
        }
        // z = mu L - f L: every row starts as mu L and the product with the raw features is
        // subtracted in place, so no centred copy of the features is made.
        for row in out.chunks_exact_mut(d) {
            row.copy_from_slice(&self.mean_white32);
        }
        // A dense product with the (lower-triangular) L: the zeros double the flops, but gemm's
        // AVX-512 kernels still run it faster than a triangular product.
        // SAFETY: `out` is n x d, `features` n x d and L d x d, all row-major and disjoint.
        unsafe {
            gemm::gemm(
                n,
                d,
                d,
                out.as_mut_ptr(),
                1,
                d as isize,
                true,
                features.as_ptr(),
                1,
                d as isize,
                self.whitening32.as_ptr(),
                1,
                d as isize,
                1.0,
                -1.0,
                false,
                false,
                false,
                gemm::Parallelism::Rayon(0),
            );
        }
        Ok(out)
    }

    /// Mahalanobis distance sqrt((a - b) Sigma^-1 (a - b)^T) = ||(a - b) L||.
    pub fn mahalanobis(&self, a: &[f32], b: &[f32]) -> Result<f64> {
        let d = self.dim;
        InvarianceError::check_len("mahalanobis a", d, a.len())?;
        InvarianceError::check_len("mahalanobis b", d, b.len())?;
        let diff: Vec<f64> = a
            .iter()
            .zip(b)
            .map(|(x, y)| *x as f64 - *y as f64)
            .collect();
        let mut total = 0.0;
        for j in 0..d {
            let mut s = 0.0;
            // L is lower triangular: column j has rows j..d.
            for i in j..d {
                s += diff[i] * self.whitening[i * d + j];
            }
            total += s * s;
        }
        Ok(total.sqrt())
    }
}

/// Makes a square matrix exactly symmetric (inversion leaves rounding asymmetry).
fn symmetrise(m: &mut Mat<f64>) {
    for i in 0..m.nrows() {
        for j in 0..i {
            let v = 0.5 * (m[(i, j)] + m[(j, i)]);
            m[(i, j)] = v;
            m[(j, i)] = v;
        }
    }
}

/// Cholesky of `cov` if it is well-conditioned; otherwise shrink toward the diagonal (and as a
/// last resort add a ridge) until it is. Returns (matrix used, shrinkage, ridge, factor).
fn regularise(
    cov: &Mat<f64>,
    count: usize,
    intensity: impl FnOnce() -> f64,
) -> Result<(Mat<f64>, f64, f64, faer::linalg::solvers::Llt<f64>)> {
    let d = cov.nrows();
    let max_var = (0..d).map(|i| cov[(i, i)]).fold(0.0f64, f64::max);
    if max_var <= 0.0 || !max_var.is_finite() {
        return Err(InvarianceError::Degenerate {
            dim: d,
            reason: "all variances are zero".into(),
        });
    }
    let try_llt = |m: &Mat<f64>| {
        let llt = m.llt(Side::Lower).ok()?;
        let l = llt.L();
        let min_pivot = (0..d)
            .map(|i| l[(i, i)] * l[(i, i)])
            .fold(f64::INFINITY, f64::min);
        (min_pivot > MIN_PIVOT_RATIO * max_var).then_some(llt)
    };
    if count > d
        && let Some(llt) = try_llt(cov)
    {
        return Ok((cov.clone(), 0.0, 0.0, llt));
    }
    let start = intensity();
    // Zero-variance features (dead units) keep even the diagonal singular: they alone get a
    // small ridge from the start, so they neither force the whole matrix onto its diagonal nor
    // hide the rank deficiency of the live features.
    let mean_var = (0..d).map(|i| cov[(i, i)]).sum::<f64>() / d as f64;
    let floor = mean_var * 1e-6;
    let dead: Vec<f64> = (0..d)
        .map(|i| {
            if cov[(i, i)] <= MIN_PIVOT_RATIO * max_var {
                floor
            } else {
                0.0
            }
        })
        .collect();
    let recorded = if dead.iter().any(|&r| r > 0.0) {
        floor
    } else {
        0.0
    };
    // The estimate first, then halve the distance to the diagonal, then the diagonal itself,
    // then ridges on every feature.
    let mut tries: Vec<(f64, Vec<f64>, f64)> = vec![(start, dead.clone(), recorded)];
    tries.extend((1..=6).map(|i| (1.0 - (1.0 - start) * 0.5f64.powi(i), dead.clone(), recorded)));
    tries.push((1.0, dead.clone(), recorded));
    tries.extend([5, 4, 3].map(|p| {
        (
            1.0,
            vec![mean_var * 10f64.powi(-p); d],
            mean_var * 10f64.powi(-p),
        )
    }));
    for (lambda, ridge, value) in tries {
        let shrunk = shrink(cov, lambda, &ridge);
        if let Some(llt) = try_llt(&shrunk) {
            return Ok((shrunk, lambda, value, llt));
        }
    }
    Err(InvarianceError::Degenerate {
        dim: d,
        reason: "not positive definite even after shrinkage".into(),
    })
}
