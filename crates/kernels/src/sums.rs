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
    #[cfg(target_arch = "x86_64")]
    if std::any::TypeId::of::<T>() == std::any::TypeId::of::<f32>() && crate::simd::has_wide() {
        assert!(x.len() == g.len() && relu_out.is_none_or(|r| r.len() == g.len()));
        let f = |v: &[T]| v.as_ptr().cast::<f32>();
        // SAFETY: T is f32, the CPU has AVX-512 (checked above) and the lengths agree.
        return unsafe { sum_and_dot_avx512(f(g), f(x), relu_out.map(f), g.len()) };
    }
    match relu_out {
        None => (sum(g), dot(g, x)),
        Some(r) => (sum_masked(g, r), dot_masked(g, r, x)),
    }
}

/// [`sum_and_dot`] of f32 values in one pass: the same eight f64 lanes, each adding the same
/// values in the same order as the two lane loops (products rounded before the add, no FMA), the
/// same tail and the same final sums, so the same bits with a pass over `g` and the mask fewer.
///
/// # Safety
/// The CPU must have AVX-512 (F, VL); `g`, `x` and `r` hold `n` values each.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl")]
unsafe fn sum_and_dot_avx512(
    g: *const f32,
    x: *const f32,
    r: Option<*const f32>,
    n: usize,
) -> (f64, f64) {
    use std::arch::x86_64::*;
    let (mut sg, mut sgx) = (_mm512_setzero_pd(), _mm512_setzero_pd());
    let body = n - n % LANES;
    for i in (0..body).step_by(LANES) {
        // SAFETY: i + LANES <= n.
        unsafe {
            let mut gv = _mm256_loadu_ps(g.add(i));
            if let Some(r) = r {
                // Kept where !(r <= 0), as `through_relu` (a NaN output keeps its gradient).
                let live = _mm256_cmp_ps_mask::<_CMP_NLE_UQ>(
                    _mm256_loadu_ps(r.add(i)),
                    _mm256_setzero_ps(),
                );
                gv = _mm256_maskz_mov_ps(live, gv);
            }
            let gd = _mm512_cvtps_pd(gv);
            let xd = _mm512_cvtps_pd(_mm256_loadu_ps(x.add(i)));
            sg = _mm512_add_pd(sg, gd);
            sgx = _mm512_add_pd(sgx, _mm512_mul_pd(gd, xd));
        }
    }
    let (mut a, mut b) = ([0f64; LANES], [0f64; LANES]);
    // SAFETY: eight f64 lanes into arrays of eight; the tail slices lie inside the n values.
    unsafe {
        _mm512_storeu_pd(a.as_mut_ptr(), sg);
        _mm512_storeu_pd(b.as_mut_ptr(), sgx);
        let tail = |p: *const f32| std::slice::from_raw_parts(p.add(body), n - body);
        let (gt, xt, rt) = (tail(g), tail(x), r.map(tail));
        let gm = |k: usize| f64::from(rt.map_or(gt[k], |r| through_relu(gt[k], r[k])));
        let ts: f64 = (0..gt.len()).map(gm).sum();
        let td: f64 = (0..gt.len()).map(|k| gm(k) * f64::from(xt[k])).sum();
        (a.iter().sum::<f64>() + ts, b.iter().sum::<f64>() + td)
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
    fn one_pass_sums_give_the_lane_loops_bits() {
        for n in [0usize, 1, 7, 8, 9, 16, 100, 1003] {
            let g: Vec<f32> = (0..n)
                .map(|i| match i % 9 {
                    0 => -0.0,
                    _ => ((i * 2654435761) % 1000) as f32 * 1e-3 - 0.5 + (i % 4) as f32 * 1e5,
                })
                .collect();
            let x: Vec<f32> = (0..n)
                .map(|i| ((i * 37) % 101) as f32 / 7.0 - 3.0)
                .collect();
            // ReLU outputs: zeros, positives, and a NaN (which keeps its gradient).
            let r: Vec<f32> = x
                .iter()
                .enumerate()
                .map(|(i, &v)| if i % 13 == 5 { f32::NAN } else { v.max(0.0) })
                .collect();
            let bits = |(a, b): (f64, f64)| (a.to_bits(), b.to_bits());
            let masked = (sum_masked(&g, &r), dot_masked(&g, &r, &x));
            assert_eq!(bits(sum_and_dot(&g, &x, Some(&r))), bits(masked), "n {n}");
            let plain = (sum(&g), dot(&g, &x));
            assert_eq!(bits(sum_and_dot(&g, &x, None)), bits(plain), "n {n}");
        }
    }

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
