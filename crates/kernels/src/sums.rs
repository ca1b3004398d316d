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
///
/// With `relu_out`, `g` is first masked by the ReLU whose output it is ([`through_relu`]) value
/// by value inside the same loops, so the sums are those of the masked gradient, bit for bit,
/// without writing it out.
pub(crate) fn sum_and_dot<T: Elem>(g: &[T], x: &[T], relu_out: Option<&[T]>) -> (f64, f64) {
    match relu_out {
        None => (sum(g), dot(g, x)),
        Some(r) => (sum_masked(g, r), dot_masked(g, r, x)),
    }
}

/// The gradient `g` through a ReLU whose output is `r`: `g` where `r > 0`, else zero.
#[inline(always)]
pub(crate) fn through_relu<T: Elem>(g: T, r: T) -> T {
    let zero = T::from_f64(0.0);
    if r <= zero { zero } else { g }
}

/// [`sum`] of `g` masked by the ReLU output `r`.
fn sum_masked<T: Elem>(g: &[T], r: &[T]) -> f64 {
    wide!({
        debug_assert_eq!(g.len(), r.len());
        let mut acc = [0f64; LANES];
        let (gc, rc) = (g.chunks_exact(LANES), r.chunks_exact(LANES));
        let tail: f64 = (gc.remainder().iter().zip(rc.remainder()))
            .map(|(&a, &m)| through_relu(a, m).to_f64())
            .sum();
        for (a, m) in gc.zip(rc) {
            for (s, (&v, &q)) in acc.iter_mut().zip(a.iter().zip(m)) {
                *s += through_relu(v, q).to_f64();
            }
        }
        acc.iter().sum::<f64>() + tail
    })
}

/// [`dot`] of `g` masked by the ReLU output `r` with `x`.
fn dot_masked<T: Elem>(g: &[T], r: &[T], x: &[T]) -> f64 {
    wide!({
        debug_assert_eq!(g.len(), x.len());
        debug_assert_eq!(g.len(), r.len());
        let mut acc = [0f64; LANES];
        let (gc, rc, xc) = (
            g.chunks_exact(LANES),
            r.chunks_exact(LANES),
            x.chunks_exact(LANES),
        );
        let tail: f64 = (gc
            .remainder()
            .iter()
            .zip(rc.remainder())
            .zip(xc.remainder()))
        .map(|((&a, &m), b)| through_relu(a, m).to_f64() * b.to_f64())
        .sum();
        for ((a, m), b) in gc.zip(rc).zip(xc) {
            for (s, ((&v, &q), w)) in acc.iter_mut().zip(a.iter().zip(m).zip(b)) {
                *s += through_relu(v, q).to_f64() * w.to_f64();
            }
        }
        acc.iter().sum::<f64>() + tail
    })
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
        let (sg, sgx) = sum_and_dot(&g, &x, None);
        assert!((sgx - dot).abs() < 1e-8);
        assert!((sg - g.iter().map(|&v| v as f64).sum::<f64>()).abs() < 1e-9);
        // Masked by a ReLU output: the bits of the sums of the masked gradient written out.
        let r: Vec<f32> = x.iter().map(|&v| v.max(0.0)).collect();
        let masked: Vec<f32> = g
            .iter()
            .zip(&r)
            .map(|(&a, &q)| through_relu(a, q))
            .collect();
        let (mg, mgx) = sum_and_dot(&g, &x, Some(&r));
        let (wg, wgx) = sum_and_dot(&masked, &x, None);
        assert_eq!((mg.to_bits(), mgx.to_bits()), (wg.to_bits(), wgx.to_bits()));
        assert_ne!(mg, sg);
    }
}
