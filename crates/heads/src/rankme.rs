//! RankMe (Garrido et al., ICML 2023): a label-free predictor of transfer, the exponential of
//! the entropy of the normalised singular values of the feature matrix.

use crate::data::rows_of;
use crate::error::{HeadsError, Result};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par, Side};
use serde::Serialize;
use std::time::Instant;

/// The paper's epsilon, added to every normalised singular value (suitable for f32 features).
pub const RANKME_EPSILON: f64 = 1e-7;
/// Rows converted to f64 at a time while accumulating the Gram matrix (64 MiB at 2,048 columns).
const ROW_BLOCK: usize = 4096;

/// RankMe of one feature matrix.
#[derive(Debug, Clone, Serialize)]
pub struct RankMe {
    /// exp(-sum p log p), p = s / sum(s) + epsilon; between 1 and min(rows, columns) (plus a
    /// hair from epsilon).
    pub rankme: f64,
    /// The epsilon used.
    pub epsilon: f64,
    /// Rows of the feature matrix.
    pub n: usize,
    /// Columns of the feature matrix.
    pub dim: usize,
    /// Singular values, largest first (min(n, dim) of them).
    pub singular_values: Vec<f64>,
    /// Wall time.
    pub seconds: f64,
}

/// exp of the entropy of p = s / sum(s) + `epsilon` over the given singular values.
pub fn rankme_of_singular_values(s: &[f64], epsilon: f64) -> f64 {
    let total: f64 = s.iter().sum();
    if total <= 0.0 {
        return 1.0;
    }
    let entropy: f64 = s
        .iter()
        .map(|&v| {
            let p = v / total + epsilon;
            -p * p.ln()
        })
        .sum();
    entropy.exp()
}

/// Singular values of a row-major n x `dim` matrix, largest first: the square roots of the
/// eigenvalues of its Gram matrix (dim x dim, or n x n when n < dim), accumulated in f64 from
/// f32 rows (each product exact) so that only the eigensolver's rounding remains.
pub fn singular_values(x: &[f32], dim: usize) -> Result<Vec<f64>> {
    let n = rows_of(x, dim, "RankMe features")?;
    let gram = if n >= dim {
        let mut g = Mat::<f64>::zeros(dim, dim);
        for rows in x.chunks(ROW_BLOCK * dim) {
            let b = rows.len() / dim;
            let block = Mat::<f64>::from_fn(b, dim, |i, j| rows[i * dim + j] as f64);
            matmul(
                g.as_mut(),
                Accum::Add,
                block.transpose(),
                block.as_ref(),
                1.0,
                Par::rayon(0),
            );
        }
        g
    } else {
        let block = Mat::<f64>::from_fn(n, dim, |i, j| x[i * dim + j] as f64);
        let mut g = Mat::<f64>::zeros(n, n);
        matmul(
            g.as_mut(),
            Accum::Replace,
            block.as_ref(),
            block.transpose(),
            1.0,
            Par::rayon(0),
        );
        g
    };
    let eig = gram
        .self_adjoint_eigenvalues(Side::Lower)
        .map_err(|e| HeadsError::Numerical(format!("Gram eigenvalues for RankMe: {e:?}")))?;
    let mut s: Vec<f64> = eig.into_iter().map(|l| l.max(0.0).sqrt()).collect();
    s.sort_by(|a, b| b.total_cmp(a));
    Ok(s)
}

/// RankMe of a row-major n x `dim` feature matrix (uncentred, as the paper), epsilon 1e-7.
pub fn rankme(x: &[f32], dim: usize) -> Result<RankMe> {
    let start = Instant::now();
    let s = singular_values(x, dim)?;
    Ok(RankMe {
        rankme: rankme_of_singular_values(&s, RANKME_EPSILON),
        epsilon: RANKME_EPSILON,
        n: x.len() / dim,
        dim,
        singular_values: s,
        seconds: start.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orthogonal_columns_have_their_norms_as_singular_values() {
        // Columns (3,0,0,0), (0,4,0,0), (0,0,0,0): singular values 4, 3, 0.
        let x = [3.0, 0.0, 0.0, 0.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let s = singular_values(&x, 3).unwrap();
        assert!((s[0] - 4.0).abs() < 1e-12 && (s[1] - 3.0).abs() < 1e-12 && s[2].abs() < 1e-6);
        // Wide input goes through the n x n Gram: same values.
        let wide = [3.0, 0.0, 0.0, 0.0, 4.0, 0.0];
        let sw = singular_values(&wide, 3).unwrap();
        assert!((sw[0] - 4.0).abs() < 1e-12 && (sw[1] - 3.0).abs() < 1e-12);
        // Equal singular values: RankMe is their count (up to epsilon).
        assert!((rankme_of_singular_values(&[2.0; 8], 0.0) - 8.0).abs() < 1e-12);
        assert!((rankme_of_singular_values(&[1.0, 0.0], RANKME_EPSILON) - 1.0).abs() < 1e-5);
    }
}
