//! Shared test helpers: deterministic data and finite-difference gradient checks.
#![allow(dead_code)]

use candle_core::{DType, Device, Result, Tensor, Var};

/// Deterministic values in [-1, 1) from a seed (SplitMix64), distinct with high probability.
pub fn values(seed: u64, n: usize) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1);
    (0..n)
        .map(|_| {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        })
        .collect()
}

/// A tensor of deterministic values with the given shape and dtype on CPU.
pub fn tensor(seed: u64, shape: &[usize], dtype: DType) -> Result<Tensor> {
    let n = shape.iter().product();
    Tensor::from_vec(values(seed, n), shape, &Device::Cpu)?.to_dtype(dtype)
}

/// `batch_norm_train` or `batch_norm_eval`, of the kernels or of the reference.
pub type BnFn = fn(&Tensor, sslinv_kernels::BnParams<'_>, bool) -> sslinv_kernels::Result<Tensor>;

/// BatchNorm parameters with PyTorch's defaults (momentum 0.1, epsilon 1e-5).
pub fn bn<'a>(
    weight: &'a Tensor,
    bias: &'a Tensor,
    (running_mean, running_var): (&'a Var, &'a Var),
) -> sslinv_kernels::BnParams<'a> {
    sslinv_kernels::BnParams {
        weight,
        bias,
        running_mean,
        running_var,
        momentum: 0.1,
        eps: 1e-5,
    }
}

/// Largest absolute difference between two tensors.
pub fn max_diff(a: &Tensor, b: &Tensor) -> Result<f64> {
    assert_eq!(a.dims(), b.dims());
    (a.to_dtype(DType::F64)? - b.to_dtype(DType::F64)?)?
        .abs()?
        .flatten_all()?
        .max(0)?
        .to_scalar::<f64>()
}

/// Checks the analytic gradients of `sum(f(inputs) * r)` against central differences in f64.
pub fn gradcheck(
    inputs: &[Tensor],
    f: impl Fn(&[Tensor]) -> Result<Tensor>,
    tol: f64,
) -> Result<()> {
    let vars: Vec<Var> = inputs.iter().map(Var::from_tensor).collect::<Result<_>>()?;
    let ts: Vec<Tensor> = vars.iter().map(|v| v.as_tensor().clone()).collect();
    let y = f(&ts)?;
    let r = tensor(99, y.dims(), DType::F64)?;
    let loss = |ts: &[Tensor]| -> Result<f64> { (f(ts)? * &r)?.sum_all()?.to_scalar::<f64>() };
    let grads = (y * &r)?.sum_all()?.backward()?;
    let h = 1e-6;
    for (k, v) in vars.iter().enumerate() {
        let analytic = grads
            .get(v.as_tensor())
            .expect("gradient")
            .flatten_all()?
            .to_vec1::<f64>()?;
        let base = inputs[k].flatten_all()?.to_vec1::<f64>()?;
        for i in 0..base.len() {
            let probe = |d: f64| -> Result<f64> {
                let mut p = base.clone();
                p[i] += d;
                let mut args = inputs.to_vec();
                args[k] = Tensor::from_vec(p, inputs[k].dims(), &Device::Cpu)?;
                loss(&args)
            };
            let numeric = (probe(h)? - probe(-h)?) / (2.0 * h);
            let err = (numeric - analytic[i]).abs();
            assert!(
                err <= tol * (1.0 + numeric.abs()),
                "input {k} element {i}: numeric {numeric} vs analytic {}",
                analytic[i]
            );
        }
    }
    Ok(())
}
