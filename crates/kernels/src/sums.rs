//! Reductions in f64 over f32/f64 slices with independent lane accumulators.
//!
//! A plain `iter().sum::<f64>()` is one serial chain of dependent adds (a few cycles per
//! element); eight accumulators let the compiler keep a whole vector of partial sums.

use crate::cpu::Elem;

const LANES: usize = 8;

/// Sum of `x`.
pub(crate) fn sum<T: Elem>(x: &[T]) -> f64 {
    wide!({
        let mut acc = [0f64; LANES];
        let chunks = x.chunks_exact(LANES);
        let tail: f64 = chunks.remainder().iter().map(|v| v.to_f64()).sum();
        for c in chunks {
            for (a, v) in acc.iter_mut().zip(c) {
                *a += v.to_f64();
            }
        }
        acc.iter().sum::<f64>() + tail
    })
}

/// Sum of squared deviations of `x` from `mean`.
pub(crate) fn sum_sq_dev<T: Elem>(x: &[T], mean: f64) -> f64 {
    wide!({
        let mut acc = [0f64; LANES];
        let chunks = x.chunks_exact(LANES);
        let sq = |v: &T| (v.to_f64() - mean) * (v.to_f64() - mean);
        let tail: f64 = chunks.remainder().iter().map(sq).sum();
        for c in chunks {
            for (a, v) in acc.iter_mut().zip(c) {
                *a += sq(v);
            }
        }
        acc.iter().sum::<f64>() + tail
    })
}

/// `(sum g, sum g * x)` over two slices of equal length.
///
/// Two passes over lane accumulators: written as one loop updating both sums, LLVM paired each
/// lane's two sums in one vector and ran the eight lanes as scalars (7 % of a width-16 ResNet-18
/// training step). Every lane adds the same values in the same order either way.
pub(crate) fn sum_and_dot<T: Elem>(g: &[T], x: &[T]) -> (f64, f64) {
    (sum(g), dot(g, x))
}

/// Sum of `g * x` over two slices of equal length.
fn dot<T: Elem>(g: &[T], x: &[T]) -> f64 {
    wide!({
        debug_assert_eq!(g.len(), x.len());
        let mut acc = [0f64; LANES];
        let (gc, xc) = (g.chunks_exact(LANES), x.chunks_exact(LANES));
        let tail: f64 = (gc.remainder().iter().zip(xc.remainder()))
            .map(|(a, b)| a.to_f64() * b.to_f64())
            .sum();
        for (a, b) in gc.zip(xc) {
            for (s, (v, w)) in acc.iter_mut().zip(a.iter().zip(b)) {
                *s += v.to_f64() * w.to_f64();
            }
        }
        acc.iter().sum::<f64>() + tail
    })
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
