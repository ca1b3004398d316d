//! Multinomial logistic regression with L2 on the weights only (scikit-learn's objective:
//! sum of log-loss + ||W||^2 / (2C), C = 1/lambda), minimised by L-BFGS with f32 GEMMs.

use crate::lbfgs::{LbfgsOptions, LbfgsReport, minimize};
use crate::simd_state::clear_upper_simd_state;
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par};

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

/// A training set prepared for repeated fits along a regularisation path: features centred
/// (the shift goes into the intercept, which is unpenalised, so the optimum is unchanged) and
/// the eigenvectors of X^T X / n kept to precondition L-BFGS.
pub struct LogisticProblem {
    x: Mat<f32>,
    mean: Vec<f64>,
    y: Vec<usize>,
    classes: usize,
    par: Par,
    eigvec: Mat<f64>,
    eigval: Vec<f64>,
}

impl LogisticProblem {
    /// `x` is row-major n x dim; `y` holds class indices below `classes`; `par` drives the GEMMs.
    pub fn new(x: &[f32], dim: usize, y: Vec<usize>, classes: usize, par: Par) -> Self {
        let n = x.len() / dim;
        let mut mean = vec![0.0f64; dim];
        for row in x.chunks_exact(dim) {
            mean.iter_mut().zip(row).for_each(|(m, &v)| *m += v as f64);
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        let xc = Mat::<f32>::from_fn(n, dim, |i, j| (x[i * dim + j] as f64 - mean[j]) as f32);
        let mut gram = Mat::<f32>::zeros(dim, dim);
        matmul(
            gram.as_mut(),
            Accum::Replace,
            xc.transpose(),
            xc.as_ref(),
            1.0 / n as f32,
            par,
        );
        let gram = Mat::<f64>::from_fn(dim, dim, |i, j| 0.5 * (gram[(i, j)] + gram[(j, i)]) as f64);
        let (eigvec, eigval) = match gram.self_adjoint_eigen(faer::Side::Lower) {
            Ok(e) => {
                let vals = (0..dim)
                    .map(|i| e.S().column_vector()[i].max(0.0))
                    .collect();
                (e.U().to_owned(), vals)
            }
            // Without a spectrum, fall back to no preconditioning.
            Err(_) => (Mat::<f64>::identity(dim, dim), vec![1.0; dim]),
        };
        Self {
            x: xc,
            mean,
            y,
            classes,
            par,
            eigvec,
            eigval,
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
        self.product(scratch.z.as_mut(), self.x.as_ref(), scratch.w.as_ref());
        clear_upper_simd_state();
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
        self.product(scratch.g.as_mut(), self.x.transpose(), scratch.z.as_ref());
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

    /// `dst = lhs rhs` in f32 with the problem's parallelism: the logits and the weight gradient.
    fn product(&self, dst: MatMut<f32>, lhs: MatRef<f32>, rhs: MatRef<f32>) {
        matmul(dst, Accum::Replace, lhs, rhs, 1.0f32, self.par);
    }

    /// out = V diag(scale) V^T w for column-major d x k blocks: the preconditioner or its inverse.
    fn precondition(&self, w: &[f64], scale: &[f64], out: &mut [f64]) {
        let (d, k) = (self.x.ncols(), self.classes);
        let wm = MatRef::from_column_major_slice(w, d, k);
        let mut t = Mat::<f64>::zeros(d, k);
        matmul(
            t.as_mut(),
            Accum::Replace,
            self.eigvec.transpose(),
            wm,
            1.0,
            Par::Seq,
        );
        for j in 0..k {
            for i in 0..d {
                t[(i, j)] *= scale[i];
            }
        }
        let om = faer::MatMut::from_column_major_slice_mut(out, d, k);
        matmul(
            om,
            Accum::Replace,
            self.eigvec.as_ref(),
            t.as_ref(),
            1.0,
            Par::Seq,
        );
    }

    /// Fits at strength `lambda`, starting from `start` (a warm start) or zeros.
    pub fn fit(
        &self,
        lambda: f64,
        start: Option<&LogisticModel>,
        opts: LbfgsOptions,
    ) -> (LogisticModel, LbfgsReport) {
        let (n, d, k) = (self.x.nrows(), self.x.ncols(), self.classes);
        // Approximate Hessian of the weights: (X^T X / n) / k per class plus the penalty lambda / n.
        let p: Vec<f64> = self
            .eigval
            .iter()
            .map(|&e| 1.0 / (e / k as f64 + lambda / n as f64).sqrt())
            .collect();
        let p_inv: Vec<f64> = p.iter().map(|v| 1.0 / v).collect();
        let mut theta = vec![0.0; d * k + k];
        if let Some(m) = start {
            let (tw, tb) = theta.split_at_mut(d * k);
            self.precondition(&m.weights, &p_inv, tw);
            for (j, b) in tb.iter_mut().enumerate() {
                *b = m.intercept[j]
                    + (0..d)
                        .map(|i| self.mean[i] * m.weights[j * d + i])
                        .sum::<f64>();
            }
        }
        let mut scratch = Scratch::new(n, d, k);
        let mut full = vec![0.0; d * k + k];
        let mut full_grad = vec![0.0; d * k + k];
        let report = minimize(
            |t, g| {
                self.precondition(&t[..d * k], &p, &mut full[..d * k]);
                full[d * k..].copy_from_slice(&t[d * k..]);
                let f = self.objective(&full, &mut full_grad, lambda, &mut scratch);
                self.precondition(&full_grad[..d * k], &p, &mut g[..d * k]);
                g[d * k..].copy_from_slice(&full_grad[d * k..]);
                f
            },
            &mut theta,
            opts,
        );
        let mut weights = vec![0.0; d * k];
        self.precondition(&theta[..d * k], &p, &mut weights);
        let intercept = (0..k)
            .map(|j| {
                theta[d * k + j]
                    - (0..d)
                        .map(|i| self.mean[i] * weights[j * d + i])
                        .sum::<f64>()
            })
            .collect();
        (
            LogisticModel {
                weights,
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
