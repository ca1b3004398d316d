//! The CPU custom ops against the candle-op compositions (`reference`), forward and backward, in f32.

mod common;

use candle_core::{DType, Device, Result, Tensor, Var};
use common::{BnFn, bn, max_diff, tensor};
use sslinv_kernels::{self as k, reference as r};

/// Output and input gradients of `sum(f(inputs) * weights)`.
fn run(
    inputs: &[Tensor],
    f: impl Fn(&[Tensor]) -> Result<Tensor>,
) -> Result<(Tensor, Vec<Tensor>)> {
    let vars: Vec<Var> = inputs.iter().map(Var::from_tensor).collect::<Result<_>>()?;
    let ts: Vec<Tensor> = vars.iter().map(|v| v.as_tensor().clone()).collect();
    let y = f(&ts)?;
    let wts = tensor(77, y.dims(), DType::F32)?;
    let grads = (&y * wts)?.sum_all()?.backward()?;
    let g = vars
        .iter()
        .map(|v| grads.get(v.as_tensor()).expect("gradient").clone())
        .collect();
    Ok((y, g))
}

fn compare(
    inputs: &[Tensor],
    fast: impl Fn(&[Tensor]) -> Result<Tensor>,
    slow: impl Fn(&[Tensor]) -> Result<Tensor>,
    tol: f64,
) -> Result<()> {
    let (ya, ga) = run(inputs, fast)?;
    let (yb, gb) = run(inputs, slow)?;
    let d = max_diff(&ya, &yb)?;
    assert!(d < tol, "forward differs by {d}");
    for (i, (a, b)) in ga.iter().zip(&gb).enumerate() {
        let d = max_diff(a, b)?;
        assert!(d < tol, "gradient {i} differs by {d}");
    }
    Ok(())
}

#[test]
fn conv2d_matches_candle() -> Result<()> {
    // Odd batch (splits unevenly over threads), batch 1 (gemm-parallel path), 7x7/2 stem, 1x1/2
    // downsample; several images per GEMM over several chunks (40 x 8x8), and one image per
    // GEMM on a large map (40x40), for 3x3 and 1x1.
    for (n, c, hw, co, kk, s, p) in [
        (5, 8, 9, 6, 3, 1, 1),
        (40, 4, 8, 4, 3, 1, 1),
        (40, 4, 8, 4, 1, 1, 0),
        (3, 4, 40, 4, 3, 1, 1),
        (3, 4, 40, 4, 1, 1, 0),
        // Dead taps: a 3x3 conv on a 1x1 map (centre only), stride 2 from 2x2 (4 live taps).
        (6, 4, 1, 5, 3, 1, 1),
        (6, 4, 2, 5, 3, 2, 1),
        (1, 3, 15, 8, 7, 2, 3),
        (4, 8, 8, 16, 1, 2, 0),
        (3, 16, 6, 8, 1, 1, 0),
        // The channel counts whose weight-gradient rows are gathered as fixed-size runs.
        (2, 16, 6, 8, 3, 1, 1),
        (2, 32, 5, 4, 3, 2, 1),
        (2, 64, 4, 4, 3, 1, 1),
        // 16+ channels on maps 8+ wide; 5x5 kernels with "same" and narrower padding.
        (3, 16, 8, 8, 3, 1, 1),
        (2, 16, 9, 4, 3, 1, 0),
        (2, 24, 10, 4, 5, 1, 2),
        (2, 16, 8, 4, 5, 1, 1),
        // 3x3/2 on maps whose outputs are 4, 8 and 16 wide.
        (3, 8, 8, 4, 3, 2, 1),
        (2, 16, 16, 8, 3, 2, 1),
        (2, 4, 32, 4, 3, 2, 1),
    ] {
        let x = tensor(1, &[n, c, hw, hw], DType::F32)?;
        let w = tensor(2, &[co, c, kk, kk], DType::F32)?;
        compare(
            &[x, w],
            |t| Ok(k::conv2d(&t[0], &t[1], s, p)?),
            |t| Ok(r::conv2d(&t[0], &t[1], s, p)?),
            1e-3,
        )?;
    }
    Ok(())
}

#[test]
fn conv2d_bias_relu_matches_composition() -> Result<()> {
    let x = tensor(3, &[2, 4, 7, 7], DType::F32)?;
    let w = tensor(4, &[5, 4, 3, 3], DType::F32)?;
    let b = tensor(5, &[5], DType::F32)?;
    compare(
        &[x, w, b],
        |t| Ok(k::conv2d_bias(&t[0], &t[1], &t[2], 1, 1, true)?),
        |t| {
            r::conv2d(&t[0], &t[1], 1, 1)?
                .broadcast_add(&t[2].reshape((1, 5, 1, 1))?)?
                .relu()
        },
        1e-3,
    )
}

#[test]
fn pools_match_candle() -> Result<()> {
    let x = tensor(6, &[2, 3, 11, 10], DType::F32)?;
    compare(
        std::slice::from_ref(&x),
        |t| Ok(k::max_pool2d(&t[0], 3, 2, 1)?),
        |t| Ok(r::max_pool2d(&t[0], 3, 2, 1)?),
        1e-6,
    )?;
    compare(
        &[x],
        |t| Ok(k::global_avg_pool(&t[0])?),
        |t| Ok(r::global_avg_pool(&t[0])?),
        1e-6,
    )
}

#[test]
fn max_pool2d_known_values() -> Result<()> {
    // 1x1x3x3 with padding 1, kernel 3, stride 2: every window sees the centre 9 except corners.
    let x = Tensor::from_vec(
        (1..=9).map(|v| v as f32).collect::<Vec<_>>(),
        (1, 1, 3, 3),
        &Device::Cpu,
    )?;
    let y = k::max_pool2d(&x, 3, 2, 1)?
        .flatten_all()?
        .to_vec1::<f32>()?;
    assert_eq!(y, vec![5.0, 6.0, 8.0, 9.0]);
    let neg = (x.neg()? - 1.0)?;
    let y = k::max_pool2d(&neg, 2, 1, 1)?
        .flatten_all()?
        .to_vec1::<f32>()?;
    assert_eq!(y[0], -2.0, "-inf padding must never win");
    Ok(())
}

/// [`compare`] of a BatchNorm kernel and its reference on `[x, weight, bias]`, each with its own
/// running statistics (the ones it updates in training).
fn compare_bn(
    inputs: &[Tensor],
    (fast, slow): (BnFn, BnFn),
    [fast_running, slow_running]: [(&Var, &Var); 2],
    relu: bool,
    tol: f64,
) -> Result<()> {
    compare(
        inputs,
        |t| Ok(fast(&t[0], bn(&t[1], &t[2], fast_running), relu)?),
        |t| Ok(slow(&t[0], bn(&t[1], &t[2], slow_running), relu)?),
        tol,
    )
}

#[test]
fn batch_norm_train_matches_candle_and_updates_running_stats() -> Result<()> {
    let x = tensor(7, &[4, 6, 5, 5], DType::F32)?.affine(3.0, 0.7)?;
    let g = (tensor(8, &[6], DType::F32)? + 1.0)?;
    let b = tensor(9, &[6], DType::F32)?;
    for relu in [false, true] {
        let stats = || -> Result<(Var, Var)> {
            Ok((
                Var::from_tensor(&tensor(10, &[6], DType::F32)?)?,
                Var::ones(6, DType::F32, &Device::Cpu)?,
            ))
        };
        let (m1, v1) = stats()?;
        let (m2, v2) = stats()?;
        compare_bn(
            &[x.clone(), g.clone(), b.clone()],
            (k::batch_norm_train, r::batch_norm_train),
            [(&m1, &v1), (&m2, &v2)],
            relu,
            1e-4,
        )?;
        assert!(max_diff(m1.as_tensor(), m2.as_tensor())? < 1e-5);
        assert!(max_diff(v1.as_tensor(), v2.as_tensor())? < 1e-5);
    }
    // PyTorch's update on a known batch: mean 0.1 * 2.5, unbiased var 0.9 + 0.1 * 5/3.
    let x = Tensor::from_vec(vec![1f32, 2.0, 3.0, 4.0], (4, 1, 1, 1), &Device::Cpu)?;
    let (m, v) = (
        Var::zeros(1, DType::F32, &Device::Cpu)?,
        Var::ones(1, DType::F32, &Device::Cpu)?,
    );
    let one = Tensor::ones(1, DType::F32, &Device::Cpu)?;
    k::batch_norm_train(&x, bn(&one, &one.zeros_like()?, (&m, &v)), false)?;
    assert!((m.as_tensor().to_vec1::<f32>()?[0] - 0.25).abs() < 1e-6);
    assert!((v.as_tensor().to_vec1::<f32>()?[0] - (0.9 + 0.5 / 3.0)).abs() < 1e-6);
    Ok(())
}

#[test]
fn batch_norm_eval_matches_candle() -> Result<()> {
    let x = tensor(11, &[3, 4, 6, 6], DType::F32)?;
    let g = tensor(12, &[4], DType::F32)?;
    let b = tensor(13, &[4], DType::F32)?;
    let mean = Var::from_tensor(&tensor(14, &[4], DType::F32)?)?;
    let var = Var::from_tensor(&(tensor(15, &[4], DType::F32)?.abs()? + 0.2)?)?;
    compare_bn(
        &[x, g, b],
        (k::batch_norm_eval, r::batch_norm_eval),
        [(&mean, &var); 2],
        true,
        1e-5,
    )
}

#[test]
fn non_contiguous_inputs_are_handled() -> Result<()> {
    let x = tensor(16, &[2, 3, 8, 8], DType::F32)?.transpose(2, 3)?;
    let w = tensor(17, &[4, 3, 3, 3], DType::F32)?;
    let a = k::conv2d(&x, &w, 1, 1)?;
    let b = r::conv2d(&x.contiguous()?, &w, 1, 1)?;
    assert!(max_diff(&a, &b)? < 1e-4);
    Ok(())
}

#[test]
fn conv2d_weight_gradient_without_input_gradient() -> Result<()> {
    // The images need no gradient: the weight gradient must not change when dx is skipped.
    let x = tensor(11, &[6, 3, 9, 9], DType::F32)?;
    let w = Var::from_tensor(&tensor(12, &[4, 3, 7, 7], DType::F32)?)?;
    let xv = Var::from_tensor(&x)?;
    let with_dx = k::conv2d(xv.as_tensor(), w.as_tensor(), 2, 3)?
        .sqr()?
        .sum_all()?
        .backward()?;
    let without = k::conv2d(&x, w.as_tensor(), 2, 3)?
        .sqr()?
        .sum_all()?
        .backward()?;
    assert!(without.get(&x).is_none());
    let d = max_diff(
        with_dx.get(w.as_tensor()).expect("dw"),
        without.get(w.as_tensor()).expect("dw"),
    )?;
    assert!(d < 1e-4, "weight gradients differ by {d}");
    Ok(())
}

#[test]
fn max_pool2d_propagates_nan_like_pytorch() -> Result<()> {
    let mut v: Vec<f32> = (0..25).map(|i| i as f32).collect();
    v[6] = f32::NAN; // row 1, column 1: inside the windows of outputs (0,0), (0,1), (1,0), (1,1)
    let x = Tensor::from_vec(v, (1, 1, 5, 5), &Device::Cpu)?;
    let y = k::max_pool2d(&x, 3, 2, 1)?
        .flatten_all()?
        .to_vec1::<f32>()?;
    for (i, &o) in y.iter().enumerate() {
        let (oy, ox) = (i / 3, i % 3);
        assert_eq!(o.is_nan(), oy < 2 && ox < 2, "output {i} = {o}");
    }
    assert_eq!(y[8], 24.0);
    Ok(())
}
