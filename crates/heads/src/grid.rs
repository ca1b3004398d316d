//! Regularisation grids.

/// `n` values spaced evenly in log10 between `10^start` and `10^stop` (numpy's `logspace`).
pub fn logspace(start: f64, stop: f64, n: usize) -> Vec<f64> {
    if n == 1 {
        return vec![10f64.powf(start)];
    }
    let step = (stop - start) / (n - 1) as f64;
    (0..n)
        .map(|i| 10f64.powf(start + step * i as f64))
        .collect()
}

/// The paper's grid: lambda in logspace(-6 + 2c, 5 + 2c, 45), c the grid shift.
pub fn paper_grid(grid_shift: f64) -> Vec<f64> {
    logspace(-6.0 + 2.0 * grid_shift, 5.0 + 2.0 * grid_shift, 45)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_grid_endpoints_and_shift() {
        let g = paper_grid(0.0);
        assert_eq!(g.len(), 45);
        assert!((g[0] - 1e-6).abs() < 1e-18);
        assert!((g[44] - 1e5).abs() < 1e-6);
        let s = paper_grid(1.0);
        assert!((s[0] - 1e-4).abs() < 1e-16);
        assert!((s[44] - 1e7).abs() < 1e-4);
    }
}
