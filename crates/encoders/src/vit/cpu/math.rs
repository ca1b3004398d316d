//! Row kernels of the CPU ViT path: LayerNorm, softmax and the MLP activations, written as
//! branch-free loops over slices so the compiler vectorises them.
//!
//! `exp` uses Cody-Waite range reduction and a degree-7 Taylor polynomial (relative error
//! below 1e-8 on the reduced range); `erf` is Abramowitz & Stegun 7.1.26 (absolute error below
//! 1.5e-7, a few ulp more in f32), so GELU differs from PyTorch's by less than 3e-7 |x|.

const LOG2E: f32 = std::f32::consts::LOG2_E;
const LN2_HI: f32 = 0.693_145_75;
const LN2_LO: f32 = 1.428_606_8e-6;
/// Adding and subtracting 1.5 * 2^23 rounds an f32 of magnitude < 2^22 to the nearest integer.
const ROUND: f32 = 12_582_912.0;

/// e^x for x in [-87.3, 88] (clamped outside), vectorisable.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let x = x.clamp(-87.3, 88.0);
    let n = (x * LOG2E + ROUND) - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0
                        + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0)))))));
    p * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// erf(x) by Abramowitz & Stegun 7.1.26, vectorisable.
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_8 + t * (-1.453_152 + t * 1.061_405_4))));
    let y = 1.0 - poly * exp(-a * a);
    y.copysign(x)
}

/// Exact GELU, 0.5 x (1 + erf(x / sqrt 2)), in place.
pub fn gelu(xs: &mut [f32]) {
    for x in xs {
        *x = 0.5 * *x * (1.0 + erf(*x * std::f32::consts::FRAC_1_SQRT_2));
    }
}

/// QuickGELU, x sigmoid(1.702 x), in place.
pub fn quick_gelu(xs: &mut [f32]) {
    for x in xs {
        *x /= 1.0 + exp(-1.702 * *x);
    }
}

/// Sum of a slice with eight independent accumulators (vectorisable, unlike a serial sum).
#[inline]
fn lane_sum(xs: &[f32], f: impl Fn(f32) -> f32) -> f32 {
    let mut acc = [0f32; 8];
    let chunks = xs.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a += f(v);
        }
    }
    acc.iter().sum::<f32>() + rest.iter().map(|&v| f(v)).sum::<f32>()
}

/// LayerNorm of one row into `out` (mean and biased variance, as PyTorch).
pub fn layer_norm(x: &[f32], w: &[f32], b: &[f32], eps: f32, out: &mut [f32]) {
    let d = x.len() as f32;
    let mean = lane_sum(x, |v| v) / d;
    let var = lane_sum(x, |v| (v - mean) * (v - mean)) / d;
    let rstd = 1.0 / (var + eps).sqrt();
    for (((o, &v), &w), &b) in out.iter_mut().zip(x).zip(w).zip(b) {
        *o = (v - mean) * rstd * w + b;
    }
}

/// softmax(scale * row) in place.
pub fn softmax_scaled(row: &mut [f32], scale: f32) {
    let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    for v in row.iter_mut() {
        *v = exp((*v - max) * scale);
    }
    let inv = 1.0 / lane_sum(row, |v| v);
    for v in row.iter_mut() {
        *v *= inv;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// erf by its Maclaurin series in f64 (exact to ~1e-9 for |x| <= 4; erfc(4) < 2e-8).
    fn erf_ref(x: f64) -> f64 {
        if x.abs() > 4.0 {
            return x.signum();
        }
        let (mut term, mut sum) = (x, x);
        for n in 1..200 {
            term *= -x * x / n as f64;
            sum += term / (2 * n + 1) as f64;
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn exp_and_erf_are_accurate() {
        for i in -2000..=2000 {
            let x = i as f32 * 0.01;
            let rel = (exp(x) as f64 - (x as f64).exp()).abs() / (x as f64).exp();
            assert!(rel < 3e-7, "exp({x}): {rel}");
            // A&S 7.1.26 is within 1.5e-7; f32 evaluation adds a few ulp.
            let e = erf(x) as f64 - erf_ref(x as f64);
            assert!(e.abs() < 6e-7, "erf({x}): {e}");
        }
        assert_eq!(exp(-200.0), exp(-87.3));
    }

    #[test]
    fn layer_norm_and_softmax_match_their_definitions() {
        let x: Vec<f32> = (0..37)
            .map(|i| (i as f32 * 0.7).sin() * 3.0 + 1.0)
            .collect();
        let w = vec![2.0; 37];
        let b = vec![0.5; 37];
        let mut out = vec![0.0; 37];
        layer_norm(&x, &w, &b, 1e-6, &mut out);
        let m: f32 = out.iter().sum::<f32>() / 37.0;
        let v: f32 = out.iter().map(|o| (o - m) * (o - m)).sum::<f32>() / 37.0;
        assert!((m - 0.5).abs() < 1e-5 && (v - 4.0).abs() < 1e-3, "{m} {v}");
        let mut row = vec![1.0, 2.0, 3.0];
        softmax_scaled(&mut row, 0.5);
        let z: f32 = [0.5f32, 1.0, 1.5].iter().map(|v| v.exp()).sum();
        assert!((row[2] - 1.5f32.exp() / z).abs() < 1e-6);
    }
}
