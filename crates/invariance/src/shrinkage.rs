//! Shrinkage of the covariance toward its diagonal, for N <= D or singular matrices.
//!
//! The intensity is the Ledoit-Wolf-type estimate for a diagonal target (Schäfer & Strimmer
//! 2005, target "D"): lambda = sum_{i!=j} Var(s_ij) / sum_{i!=j} s_ij^2, with Var(s_ij) estimated
//! from the per-sample products w_kij = y_ki y_kj. Both sums come from the streaming moments.

use faer::Mat;

use crate::accumulate::Moments;

/// The estimated optimal intensity in [0, 1] (0 when the matrix is already diagonal).
pub(crate) fn diagonal_intensity(m: &Moments) -> f64 {
    let n = m.count as f64;
    if m.count < 2 {
        return 1.0;
    }
    let d = m.scatter.nrows();
    let mut off2 = 0.0; // sum_{i!=j} C_ij^2, C the centred scatter
    for i in 0..d {
        for j in 0..d {
            if i != j {
                off2 += m.scatter[(i, j)] * m.scatter[(i, j)];
            }
        }
    }
    if off2 <= 0.0 {
        return 0.0;
    }
    let sum_w2 = m.total4 - m.coord4; // sum_k sum_{i!=j} w_kij^2
    let var_sum = n / (n - 1.0).powi(3) * (sum_w2 - off2 / n).max(0.0);
    let den = off2 / (n - 1.0).powi(2);
    (var_sum / den).clamp(0.0, 1.0)
}

/// Covariance with off-diagonal entries scaled by (1 - lambda) and `ridge[i]` added to diagonal entry i.
pub(crate) fn shrink(cov: &Mat<f64>, lambda: f64, ridge: &[f64]) -> Mat<f64> {
    Mat::from_fn(cov.nrows(), cov.ncols(), |i, j| {
        if i == j {
            cov[(i, j)] + ridge[i]
        } else {
            (1.0 - lambda) * cov[(i, j)]
        }
    })
}
