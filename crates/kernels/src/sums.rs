//! Reductions in f64 over f32/f64 slices with independent lane accumulators.
//!
//! A plain `iter().sum::<f64>()` is one serial chain of dependent adds (a few cycles per
//! element); eight accumulators let the compiler keep a whole vector of partial sums.

use crate::cpu::Elem;

const LANES: usize = 8;

fn reduce<T: Elem, const K: usize>(xs: [&[T]; K], f: impl Fn([f64; K]) -> f64 + Copy) -> f64 {
    let n = xs[0].len();
    let mut acc = [0f64; LANES];
    let full = n - n % LANES;
    let mut i = 0;
    while i < full {
        for (l, a) in acc.iter_mut().enumerate() {
            *a += f(xs.map(|x| x[i + l].to_f64()));
        }
        i += LANES;
    }
    let tail: f64 = (full..n).map(|j| f(xs.map(|x| x[j].to_f64()))).sum();
    acc.iter().sum::<f64>() + tail
}

/// Sum of `x`.
pub(crate) fn sum<T: Elem>(x: &[T]) -> f64 {
    reduce([x], |[v]| v)
}

/// Sum of squared deviations of `x` from `mean`.
pub(crate) fn sum_sq_dev<T: Elem>(x: &[T], mean: f64) -> f64 {
    reduce([x], |[v]| (v - mean) * (v - mean))
}

/// `(sum g, sum g * x)` over two slices of equal length.
pub(crate) fn sum_and_dot<T: Elem>(g: &[T], x: &[T]) -> (f64, f64) {
    debug_assert_eq!(g.len(), x.len());
    (reduce([g], |[a]| a), reduce([g, x], |[a, b]| a * b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_naive_sums() {
        let x: Vec<f32> = (0..1003)
            .map(|i| ((i * 37) % 101) as f32 / 7.0 - 3.0)
            .collect();
        let g: Vec<f32> = (0..1003)
            .map(|i| ((i * 11) % 53) as f32 / 5.0 - 2.0)
            .collect();
        let naive: f64 = x.iter().map(|&v| v as f64).sum();
        assert!((sum(&x) - naive).abs() < 1e-9);
        let mean = naive / x.len() as f64;
        let dev: f64 = x.iter().map(|&v| (v as f64 - mean).powi(2)).sum();
        assert!((sum_sq_dev(&x, mean) - dev).abs() < 1e-8);
        let dot: f64 = g.iter().zip(&x).map(|(&a, &b)| a as f64 * b as f64).sum();
        let (sg, sgx) = sum_and_dot(&g, &x);
        assert!((sgx - dot).abs() < 1e-8);
        assert!((sg - g.iter().map(|&v| v as f64).sum::<f64>()).abs() < 1e-9);
    }
}
