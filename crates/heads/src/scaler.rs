//! Standard scaling (scikit-learn's `StandardScaler`: population std, zero std left unscaled).

/// Per-column mean and standard deviation of a training matrix.
#[derive(Debug, Clone)]
pub struct StandardScaler {
    /// Column means.
    pub mean: Vec<f64>,
    /// Column standard deviations (1 where a column is constant).
    pub scale: Vec<f64>,
}

impl StandardScaler {
    /// Fits on the rows `idx` of row-major `x` with `dim` columns.
    pub fn fit(x: &[f32], dim: usize, idx: &[usize]) -> Self {
        let n = idx.len().max(1) as f64;
        let mut mean = vec![0.0; dim];
        for &i in idx {
            mean.iter_mut()
                .zip(&x[i * dim..(i + 1) * dim])
                .for_each(|(m, &v)| *m += v as f64);
        }
        mean.iter_mut().for_each(|m| *m /= n);
        let mut var = vec![0.0; dim];
        for &i in idx {
            for (j, &v) in x[i * dim..(i + 1) * dim].iter().enumerate() {
                var[j] += (v as f64 - mean[j]).powi(2);
            }
        }
        let scale = var.iter().map(|v| {
            let s = (v / n).sqrt();
            if s > 1e-12 { s } else { 1.0 }
        });
        Self {
            mean,
            scale: scale.collect(),
        }
    }

    /// Scaled copies of rows `idx` (row-major f64).
    pub fn transform(&self, x: &[f32], idx: &[usize]) -> Vec<f64> {
        let dim = self.mean.len();
        let mut out = Vec::with_capacity(idx.len() * dim);
        for &i in idx {
            for (j, &v) in x[i * dim..(i + 1) * dim].iter().enumerate() {
                out.push((v as f64 - self.mean[j]) / self.scale[j]);
            }
        }
        out
    }
}
