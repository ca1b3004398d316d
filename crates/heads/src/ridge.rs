//! Multi-output ridge regression with an unpenalised intercept, for a whole grid of strengths
//! from one thin SVD of the centred design (scikit-learn's `Ridge(alpha, fit_intercept=True)`).

use crate::data::{rows_of, target_width};
use crate::error::{HeadsError, Result};
use crate::metrics;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};

/// A ridge fit factorised once: W(alpha) = V diag(s / (s^2 + alpha)) U^T Yc for any alpha.
#[derive(Debug, Clone)]
pub struct RidgePath {
    x_mean: Vec<f64>,
    y_mean: Vec<f64>,
    v: Mat<f64>,
    s: Vec<f64>,
    uty: Mat<f64>,
}

impl RidgePath {
    /// Centres `x` (n x dim) and `y` (n x t) and factorises the design.
    pub fn fit(x: &[f32], y: &[f32], dim: usize, t: usize) -> Result<Self> {
        let n = rows_of(x, dim, "ridge features")?;
        if y.len() != n * t {
            return Err(HeadsError::Shape(format!(
                "ridge: {n} rows but {} targets of width {t}",
                y.len()
            )));
        }
        let x_mean = column_means(x, n, dim);
        let y_mean = column_means(y, n, t);
        let xc = Mat::<f64>::from_fn(n, dim, |i, j| x[i * dim + j] as f64 - x_mean[j]);
        let yc = Mat::<f64>::from_fn(n, t, |i, j| y[i * t + j] as f64 - y_mean[j]);
        let svd = xc
            .thin_svd()
            .map_err(|e| HeadsError::Numerical(format!("SVD of the ridge design failed: {e:?}")))?;
        let s: Vec<f64> = (0..svd.S().dim())
            .map(|i| svd.S().column_vector()[i])
            .collect();
        let uty = svd.U().transpose() * &yc;
        Ok(Self {
            x_mean,
            y_mean,
            v: svd.V().to_owned(),
            s,
            uty,
        })
    }

    /// Weights (dim x t) for strength `alpha`.
    pub fn weights(&self, alpha: f64) -> Mat<f64> {
        let scaled = Mat::<f64>::from_fn(self.s.len(), self.uty.ncols(), |i, j| {
            shrink(self.s[i], alpha) * self.uty[(i, j)]
        });
        &self.v * &scaled
    }

    /// Predictions (row-major n x t) of `x` for every alpha of `alphas`.
    pub fn predict_path(&self, x: &[f32], alphas: &[f64]) -> Vec<Vec<f64>> {
        let dim = self.x_mean.len();
        let n = x.len() / dim;
        let t = self.y_mean.len();
        let xc = Mat::<f64>::from_fn(n, dim, |i, j| x[i * dim + j] as f64 - self.x_mean[j]);
        let xv = &xc * &self.v;
        alphas
            .iter()
            .map(|&alpha| {
                let scaled = Mat::<f64>::from_fn(self.s.len(), t, |i, j| {
                    shrink(self.s[i], alpha) * self.uty[(i, j)]
                });
                let mut pred = Mat::<f64>::zeros(n, t);
                matmul(
                    pred.as_mut(),
                    Accum::Replace,
                    xv.as_ref(),
                    scaled.as_ref(),
                    1.0,
                    Par::Seq,
                );
                row_major_plus(pred.as_ref(), &self.y_mean)
            })
            .collect()
    }

    /// Predictions (row-major) of `x` at one `alpha`.
    pub fn predict(&self, x: &[f32], alpha: f64) -> Vec<f64> {
        self.predict_path(x, &[alpha]).remove(0)
    }
}

fn shrink(s: f64, alpha: f64) -> f64 {
    let d = s * s + alpha;
    if d > 0.0 { s / d } else { 0.0 }
}

fn column_means(x: &[f32], n: usize, d: usize) -> Vec<f64> {
    let mut m = vec![0.0; d];
    for row in x.chunks_exact(d) {
        m.iter_mut().zip(row).for_each(|(a, &v)| *a += v as f64);
    }
    m.iter_mut().for_each(|a| *a /= n as f64);
    m
}

fn row_major_plus(m: MatRef<'_, f64>, add: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(m.nrows() * m.ncols());
    for i in 0..m.nrows() {
        for (j, a) in add.iter().enumerate() {
            out.push(m[(i, j)] + a);
        }
    }
    out
}

/// Test R^2 (uniform average over outputs) of ridge with strength `alpha` fit on the training set.
pub fn ridge_r2(
    train_x: &[f32],
    train_y: &[f32],
    test_x: &[f32],
    test_y: &[f32],
    dim: usize,
    alpha: f64,
) -> Result<f64> {
    let n = rows_of(train_x, dim, "ridge train features")?;
    let m = rows_of(test_x, dim, "ridge test features")?;
    let t = target_width(n, train_y, Some((m, test_y)))?;
    let path = RidgePath::fit(train_x, train_y, dim, t)?;
    Ok(metrics::r2(&path.predict(test_x, alpha), test_y, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_linear_map_and_shrinks() {
        let (n, d) = (40, 3);
        let x: Vec<f32> = (0..n * d)
            .map(|i| ((i * 37 % 17) as f32 - 8.0) / 5.0)
            .collect();
        let y: Vec<f32> = x
            .chunks(d)
            .map(|r| 2.0 * r[0] - r[1] + 0.5 * r[2] + 3.0)
            .collect();
        let path = RidgePath::fit(&x, &y, d, 1).unwrap();
        let p = path.predict(&x, 1e-9);
        assert!(p.iter().zip(&y).all(|(a, &b)| (a - b as f64).abs() < 1e-4));
        let w = path.weights(1e9);
        assert!(w[(0, 0)].abs() < 1e-3);
        assert!((ridge_r2(&x, &y, &x, &y, d, 1e-9).unwrap() - 1.0).abs() < 1e-9);
    }
}
