//! Limited-memory BFGS with a backtracking (Armijo) line search, for smooth convex objectives.

/// Stopping rules.
#[derive(Debug, Clone, Copy)]
pub struct LbfgsOptions {
    /// Most iterations.
    pub max_iter: usize,
    /// Stop when the largest absolute gradient entry is at most this (scipy's `gtol`).
    pub gtol: f64,
    /// Stop when the relative objective decrease is at most this (scipy's `ftol`).
    pub ftol: f64,
    /// Correction pairs kept.
    pub memory: usize,
}

impl Default for LbfgsOptions {
    fn default() -> Self {
        Self {
            max_iter: 1000,
            gtol: 1e-5,
            ftol: 64.0 * f64::EPSILON,
            memory: 10,
        }
    }
}

/// What the minimiser did.
#[derive(Debug, Clone, Copy)]
pub struct LbfgsReport {
    /// Iterations run.
    pub iterations: usize,
    /// Objective evaluations.
    pub evaluations: usize,
    /// Whether the gradient or objective rule stopped it (not the iteration cap).
    pub converged: bool,
    /// Final objective.
    pub value: f64,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// Minimises `f` (returns the value, writes the gradient) from `x`, in place.
pub fn minimize<F>(mut f: F, x: &mut [f64], opts: LbfgsOptions) -> LbfgsReport
where
    F: FnMut(&[f64], &mut [f64]) -> f64,
{
    let n = x.len();
    let mut g = vec![0.0; n];
    let mut fx = f(x, &mut g);
    let mut evals = 1;
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let mut rho: Vec<f64> = Vec::new();
    let (mut xn, mut gn, mut d) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut alpha_buf = vec![0.0; opts.memory];
    for iter in 0..opts.max_iter {
        if max_abs(&g) <= opts.gtol {
            return LbfgsReport {
                iterations: iter,
                evaluations: evals,
                converged: true,
                value: fx,
            };
        }
        // Two-loop recursion: d = -H g.
        d.copy_from_slice(&g);
        for k in (0..s_hist.len()).rev() {
            let a = rho[k] * dot(&s_hist[k], &d);
            alpha_buf[k] = a;
            d.iter_mut()
                .zip(&y_hist[k])
                .for_each(|(di, yi)| *di -= a * yi);
        }
        let gamma = match (s_hist.last(), y_hist.last()) {
            (Some(s), Some(y)) => dot(s, y) / dot(y, y),
            _ => 1.0 / max_abs(&g).max(1.0),
        };
        d.iter_mut().for_each(|v| *v *= gamma);
        for k in 0..s_hist.len() {
            let b = rho[k] * dot(&y_hist[k], &d);
            let a = alpha_buf[k];
            d.iter_mut()
                .zip(&s_hist[k])
                .for_each(|(di, si)| *di += (a - b) * si);
        }
        d.iter_mut().for_each(|v| *v = -*v);
        let mut slope = dot(&g, &d);
        if slope >= 0.0 {
            // Not a descent direction (numerical trouble): restart from steepest descent.
            s_hist.clear();
            y_hist.clear();
            rho.clear();
            let scale = 1.0 / max_abs(&g).max(1.0);
            d.iter_mut().zip(&g).for_each(|(di, gi)| *di = -gi * scale);
            slope = dot(&g, &d);
        }
        let mut step = 1.0;
        let mut accepted = false;
        for _ in 0..40 {
            xn.iter_mut()
                .zip(x.iter().zip(&d))
                .for_each(|(o, (xi, di))| *o = xi + step * di);
            let fnew = f(&xn, &mut gn);
            evals += 1;
            if fnew.is_finite() && fnew <= fx + 1e-4 * step * slope {
                let decrease = fx - fnew;
                let s: Vec<f64> = xn.iter().zip(x.iter()).map(|(a, b)| a - b).collect();
                let y: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
                let sy = dot(&s, &y);
                if sy > 1e-12 * dot(&y, &y).sqrt() * dot(&s, &s).sqrt() && sy > 0.0 {
                    if s_hist.len() == opts.memory {
                        s_hist.remove(0);
                        y_hist.remove(0);
                        rho.remove(0);
                    }
                    rho.push(1.0 / sy);
                    s_hist.push(s);
                    y_hist.push(y);
                }
                x.copy_from_slice(&xn);
                g.copy_from_slice(&gn);
                let scale = fx.abs().max(fnew.abs()).max(1.0);
                fx = fnew;
                accepted = true;
                if decrease <= opts.ftol * scale {
                    return LbfgsReport {
                        iterations: iter + 1,
                        evaluations: evals,
                        converged: true,
                        value: fx,
                    };
                }
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            // No decrease along a descent direction: the optimum is reached to working precision.
            return LbfgsReport {
                iterations: iter,
                evaluations: evals,
                converged: true,
                value: fx,
            };
        }
    }
    let converged = max_abs(&g) <= opts.gtol;
    LbfgsReport {
        iterations: opts.max_iter,
        evaluations: evals,
        converged,
        value: fx,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_rosenbrock() {
        let mut x = vec![-1.2, 1.0];
        let r = minimize(
            |p, g| {
                let (a, b) = (p[0], p[1]);
                g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
                g[1] = 200.0 * (b - a * a);
                (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
            },
            &mut x,
            LbfgsOptions {
                gtol: 1e-8,
                ..Default::default()
            },
        );
        assert!(r.converged);
        assert!(
            (x[0] - 1.0).abs() < 1e-5 && (x[1] - 1.0).abs() < 1e-5,
            "{x:?}"
        );
    }
}
