//! Multinomial logistic regression with L2 on the weights only (scikit-learn's objective:
//! sum of log-loss + ||W||^2 / (2C), C = 1/lambda), minimised by L-BFGS with f32 GEMMs.

use crate::lbfgs::{LbfgsOptions, LbfgsReport, minimize};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};

/// Fitted weights of a multinomial logistic regression.
#[derive(Debug, Clone)]
pub struct LogisticModel {
    /// Weights, dim x classes, column-major as L-BFGS sees them.
    pub weights: Vec<f64>,
    /// One intercept per class.
    pub intercept: Vec<f64>,
    /// Feature dimension.
    pub dim: usize,
    /// Number of classes.
    pub classes: usize,
}

/// A training set prepared for repeated fits along a regularisation path.
pub struct LogisticProblem<'a> {
    x: MatRef<'a, f32>,
    y: Vec<usize>,
    classes: usize,
    par: Par,
}

impl<'a> LogisticProblem<'a> {
    /// `x` is row-major n x dim; `y` holds class indices below `classes`; `par` drives the GEMMs.
    pub fn new(x: &'a [f32], dim: usize, y: Vec<usize>, classes: usize, par: Par) -> Self {
        let n = x.len() / dim;
        Self {
            x: MatRef::from_row_major_slice(x, n, dim),
            y,
            classes,
            par,
        }
    }

    /// Mean log-loss plus lambda ||W||^2 / (2n) at `theta` (weights then intercepts), gradient into `grad`.
    fn objective(
        &self,
        theta: &[f64],
        grad: &mut [f64],
        lambda: f64,
        scratch: &mut Scratch,
    ) -> f64 {
        let (n, d, k) = (self.x.nrows(), self.x.ncols(), self.classes);
        let (w, b) = theta.split_at(d * k);
        for j in 0..k {
            for i in 0..d {
                scratch.w[(i, j)] = w[j * d + i] as f32;
            }
        }
        matmul(
            scratch.z.as_mut(),
            Accum::Replace,
            self.x,
            scratch.w.as_ref(),
            1.0f32,
            self.par,
        );
        let mut loss = 0.0f64;
        let mut gb = vec![0.0f64; k];
        let mut row = vec![0.0f64; k];
        for i in 0..n {
            let mut max = f64::NEG_INFINITY;
            for (j, r) in row.iter_mut().enumerate() {
                *r = scratch.z[(i, j)] as f64 + b[j];
                max = max.max(*r);
            }
            let mut sum = 0.0;
            for r in row.iter_mut() {
                *r = (*r - max).exp();
                sum += *r;
            }
            let yi = self.y[i];
            loss += sum.ln() - (row[yi].ln());
            for (j, r) in row.iter().enumerate() {
                let resid = r / sum - f64::from(u8::from(j == yi));
                gb[j] += resid;
                scratch.z[(i, j)] = resid as f32;
            }
        }
        matmul(
            scratch.g.as_mut(),
            Accum::Replace,
            self.x.transpose(),
            scratch.z.as_ref(),
            1.0f32,
            self.par,
        );
        let inv_n = 1.0 / n as f64;
        let mut reg = 0.0;
        let (gw, gbias) = grad.split_at_mut(d * k);
        for j in 0..k {
            for i in 0..d {
                let wij = w[j * d + i];
                reg += wij * wij;
                gw[j * d + i] = scratch.g[(i, j)] as f64 * inv_n + lambda * inv_n * wij;
            }
        }
        gbias.iter_mut().zip(&gb).for_each(|(o, v)| *o = v * inv_n);
        loss * inv_n + 0.5 * lambda * inv_n * reg
    }

    /// Fits at strength `lambda`, starting from `start` (a warm start) or zeros.
    pub fn fit(
        &self,
        lambda: f64,
        start: Option<&LogisticModel>,
        opts: LbfgsOptions,
    ) -> (LogisticModel, LbfgsReport) {
        let (d, k) = (self.x.ncols(), self.classes);
        let mut theta = vec![0.0; d * k + k];
        if let Some(m) = start {
            theta[..d * k].copy_from_slice(&m.weights);
            theta[d * k..].copy_from_slice(&m.intercept);
        }
        let mut scratch = Scratch::new(self.x.nrows(), d, k);
        let report = minimize(
            |t, g| self.objective(t, g, lambda, &mut scratch),
            &mut theta,
            opts,
        );
        let intercept = theta.split_off(d * k);
        (
            LogisticModel {
                weights: theta,
                intercept,
                dim: d,
                classes: k,
            },
            report,
        )
    }
}

struct Scratch {
    w: Mat<f32>,
    z: Mat<f32>,
    g: Mat<f32>,
}

impl Scratch {
    fn new(n: usize, d: usize, k: usize) -> Self {
        Self {
            w: Mat::zeros(d, k),
            z: Mat::zeros(n, k),
            g: Mat::zeros(d, k),
        }
    }
}

impl LogisticModel {
    /// The most probable class index of each row of `x` (row-major, `dim` columns).
    pub fn predict(&self, x: &[f32], par: Par) -> Vec<usize> {
        let n = x.len() / self.dim;
        let xm = MatRef::from_row_major_slice(x, n, self.dim);
        let w = Mat::<f32>::from_fn(self.dim, self.classes, |i, j| {
            self.weights[j * self.dim + i] as f32
        });
        let mut z = Mat::<f32>::zeros(n, self.classes);
        matmul(z.as_mut(), Accum::Replace, xm, w.as_ref(), 1.0f32, par);
        (0..n)
            .map(|i| {
                let mut best = (0, f64::NEG_INFINITY);
                for j in 0..self.classes {
                    let v = z[(i, j)] as f64 + self.intercept[j];
                    if v > best.1 {
                        best = (j, v);
                    }
                }
                best.0
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        let (n, d, k) = (30, 4, 3);
        let x: Vec<f32> = (0..n * d)
            .map(|i| ((i * 29 % 13) as f32 - 6.0) / 4.0)
            .collect();
        let y: Vec<usize> = (0..n).map(|i| i % k).collect();
        let p = LogisticProblem::new(&x, d, y, k, Par::Seq);
        let mut s = Scratch::new(n, d, k);
        let theta: Vec<f64> = (0..d * k + k)
            .map(|i| (i as f64 * 0.37).sin() * 0.3)
            .collect();
        let mut g = vec![0.0; theta.len()];
        p.objective(&theta, &mut g, 0.7, &mut s);
        for i in 0..theta.len() {
            let (mut tp, mut tm) = (theta.clone(), theta.clone());
            tp[i] += 1e-3;
            tm[i] -= 1e-3;
            let mut tmp = vec![0.0; theta.len()];
            let fd = (p.objective(&tp, &mut tmp, 0.7, &mut s)
                - p.objective(&tm, &mut tmp, 0.7, &mut s))
                / 2e-3;
            assert!((fd - g[i]).abs() < 1e-4, "coordinate {i}: {fd} vs {}", g[i]);
        }
    }

    #[test]
    fn separates_separable_classes() {
        let x: Vec<f32> = vec![-2.0, -1.5, -1.0, 1.0, 1.5, 2.0];
        let y = vec![0, 0, 0, 1, 1, 1];
        let p = LogisticProblem::new(&x, 1, y.clone(), 2, Par::Seq);
        let (m, r) = p.fit(1.0, None, LbfgsOptions::default());
        assert!(r.converged);
        assert_eq!(m.predict(&x, Par::Seq), y);
    }
}
