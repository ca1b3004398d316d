//! One streaming pass over feature batches: everything the mean, the covariance (N-1) and the
//! shrinkage intensity need, accumulated in f64.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat};

use crate::error::{InvarianceError, Result};
use crate::stats::FeatureStats;

/// Streaming accumulator of feature statistics.
///
/// Sums are taken about a shift (the first batch's mean) so that the f64 power sums do not
/// cancel catastrophically; the exact centred moments are recovered in [`Self::finish`].
pub struct StatsAccumulator {
    dim: usize,
    count: usize,
    source: String,
    shift: Vec<f64>,
    sum: Vec<f64>,
    scatter: Mat<f64>,
    norm2_weighted: Vec<f64>,
    norm4: f64,
    pow3: Vec<f64>,
    pow4: Vec<f64>,
}

/// The centred moments recovered from a [`StatsAccumulator`].
pub(crate) struct Moments {
    /// Number of samples.
    pub count: usize,
    /// Mean.
    pub mean: Vec<f64>,
    /// Centred scatter matrix sum_k y_k y_k^T (covariance times N-1).
    pub scatter: Mat<f64>,
    /// sum_k ||y_k||^4.
    pub total4: f64,
    /// sum_k sum_i y_ki^4.
    pub coord4: f64,
}

impl StatsAccumulator {
    /// An empty accumulator for `dim`-d features; `source` names the model or file in errors.
    pub fn new(dim: usize, source: impl Into<String>) -> Self {
        Self {
            dim,
            count: 0,
            source: source.into(),
            shift: Vec::new(),
            sum: vec![0.0; dim],
            scatter: Mat::zeros(dim, dim),
            norm2_weighted: vec![0.0; dim],
            norm4: 0.0,
            pow3: vec![0.0; dim],
            pow4: vec![0.0; dim],
        }
    }

    /// Samples seen so far.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Feature dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Adds `n` row-major feature rows.
    pub fn push(&mut self, rows: &[f32], n: usize) -> Result<()> {
        let d = self.dim;
        InvarianceError::check_len("feature batch", n * d, rows.len())?;
        if n == 0 {
            return Ok(());
        }
        if let Some(pos) = rows.iter().position(|v| !v.is_finite()) {
            return Err(InvarianceError::NonFinite {
                source_name: self.source.clone(),
                row: self.count + pos / d,
                col: pos % d,
            });
        }
        if self.shift.is_empty() {
            self.shift = vec![0.0; d];
            for row in rows.chunks_exact(d) {
                for (s, &v) in self.shift.iter_mut().zip(row) {
                    *s += v as f64;
                }
            }
            self.shift.iter_mut().for_each(|s| *s /= n as f64);
        }
        let u = Mat::<f64>::from_fn(n, d, |i, j| rows[i * d + j] as f64 - self.shift[j]);
        matmul(
            self.scatter.as_mut(),
            Accum::Add,
            u.transpose(),
            u.as_ref(),
            1.0,
            faer::get_global_parallelism(),
        );
        for i in 0..n {
            let mut norm2 = 0.0;
            for j in 0..d {
                let x = u[(i, j)];
                let x2 = x * x;
                norm2 += x2;
                self.sum[j] += x;
                self.pow3[j] += x2 * x;
                self.pow4[j] += x2 * x2;
            }
            for j in 0..d {
                self.norm2_weighted[j] += norm2 * u[(i, j)];
            }
            self.norm4 += norm2 * norm2;
        }
        self.count += n;
        Ok(())
    }

    /// The centred moments (shift removed exactly by binomial expansion).
    pub(crate) fn moments(&self) -> Moments {
        let d = self.dim;
        let n = self.count as f64;
        let delta: Vec<f64> = self.sum.iter().map(|s| s / n.max(1.0)).collect();
        let mean: Vec<f64> = if self.shift.is_empty() {
            vec![0.0; d]
        } else {
            self.shift.iter().zip(&delta).map(|(c, e)| c + e).collect()
        };
        let scatter =
            Mat::<f64>::from_fn(d, d, |i, j| self.scatter[(i, j)] - n * delta[i] * delta[j]);
        // sum_k ||u_k - delta||^4 expanded in the shifted power sums.
        let c0: f64 = delta.iter().map(|x| x * x).sum();
        let trace: f64 = (0..d).map(|i| self.scatter[(i, i)]).sum();
        let mut quad = 0.0; // delta^T (sum u u^T) delta
        for i in 0..d {
            let mut row = 0.0;
            for j in 0..d {
                row += self.scatter[(i, j)] * delta[j];
            }
            quad += delta[i] * row;
        }
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        let total4 = self.norm4 + 4.0 * quad + n * c0 * c0
            - 4.0 * dot(&delta, &self.norm2_weighted)
            + 2.0 * c0 * trace
            - 4.0 * c0 * dot(&delta, &self.sum);
        let mut coord4 = 0.0;
        for i in 0..d {
            let e = delta[i];
            coord4 += self.pow4[i] - 4.0 * e * self.pow3[i] + 6.0 * e * e * self.scatter[(i, i)]
                - 4.0 * e * e * e * self.sum[i]
                + n * e * e * e * e;
        }
        Moments {
            count: self.count,
            mean,
            scatter,
            total4,
            coord4,
        }
    }

    /// Mean, covariance (N-1), shrinkage if needed, inverse and its Cholesky factor.
    pub fn finish(&self) -> Result<FeatureStats> {
        FeatureStats::from_moments(&self.moments())
    }
}
