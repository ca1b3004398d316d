//! Every kernel's CPU backward against central finite differences in f64.

mod common;

use candle_core::{DType, Device, Result, Tensor, Var};
use common::{BnFn, bn, gradcheck, tensor};
use sslinv_kernels as k;

const TOL: f64 = 1e-6;

#[test]
fn conv2d_padded_strided_dead_taps_and_pointwise() -> Result<()> {
    // (x seed, x shape, w seed, w shape, stride, padding)
    for (xs, x, ws, w, s, p) in [
        // 3x3, padded and strided.
        (1, [2, 3, 6, 5], 2, [4, 3, 3, 3], 1, 1),
        (1, [2, 3, 6, 5], 2, [4, 3, 3, 3], 2, 1),
        (1, [2, 3, 6, 5], 2, [4, 3, 3, 3], 2, 0),
        // 3x3 on a 1x1 map keeps only the centre tap; stride 2 on 2x2 keeps four.
        (9, [3, 2, 1, 1], 10, [3, 2, 3, 3], 1, 1),
        (9, [3, 2, 2, 2], 10, [3, 2, 3, 3], 2, 1),
        // 16 channels on maps 8 wide, "same" and valid padding, non-square maps.
        (11, [1, 16, 8, 9], 12, [3, 16, 3, 3], 1, 1),
        (11, [1, 16, 9, 8], 12, [2, 16, 3, 3], 1, 0),
        // 1x1: pointwise (the image is its own im2col matrix), then strided.
        (3, [3, 4, 5, 5], 4, [2, 4, 1, 1], 1, 0),
        (3, [3, 4, 5, 5], 4, [2, 4, 1, 1], 2, 0),
    ] {
        let inputs = [tensor(xs, &x, DType::F64)?, tensor(ws, &w, DType::F64)?];
        gradcheck(&inputs, |t| Ok(k::conv2d(&t[0], &t[1], s, p)?), TOL)?;
    }
    Ok(())
}

#[test]
fn conv2d_bias_and_relu() -> Result<()> {
    let x = tensor(5, &[2, 2, 5, 4], DType::F64)?;
    let w = tensor(6, &[3, 2, 3, 3], DType::F64)?;
    let b = tensor(7, &[3], DType::F64)?;
    gradcheck(
        &[x.clone(), w.clone(), b.clone()],
        |t| Ok(k::conv2d_bias(&t[0], &t[1], &t[2], 1, 1, false)?),
        TOL,
    )?;
    gradcheck(
        &[x, w, b],
        |t| Ok(k::conv2d_bias(&t[0], &t[1], &t[2], 2, 1, true)?),
        TOL,
    )
}

#[test]
fn max_pool2d_stem_and_even_windows() -> Result<()> {
    let x = tensor(8, &[2, 2, 7, 6], DType::F64)?;
    for (kk, s, p) in [(3, 2, 1), (2, 2, 0), (3, 1, 1)] {
        gradcheck(
            std::slice::from_ref(&x),
            |t| Ok(k::max_pool2d(&t[0], kk, s, p)?),
            TOL,
        )?;
    }
    Ok(())
}

#[test]
fn global_avg_pool_relu_add_relu() -> Result<()> {
    let x = tensor(9, &[2, 3, 4, 5], DType::F64)?;
    let y = tensor(10, &[2, 3, 4, 5], DType::F64)?;
    gradcheck(
        std::slice::from_ref(&x),
        |t| Ok(k::global_avg_pool(&t[0])?),
        TOL,
    )?;
    gradcheck(std::slice::from_ref(&x), |t| Ok(k::relu(&t[0])?), TOL)?;
    gradcheck(&[x, y], |t| Ok(k::add_relu(&t[0], &t[1])?), TOL)
}

/// Gradient check of `bn_fn` on `[x, weight, bias]` with the given running statistics, with and
/// without ReLU.
fn check_bn(bn_fn: BnFn, inputs: [Tensor; 3], running: (&Var, &Var), tol: f64) -> Result<()> {
    for relu in [false, true] {
        gradcheck(
            &inputs,
            |t| Ok(bn_fn(&t[0], bn(&t[1], &t[2], running), relu)?),
            tol,
        )?;
    }
    Ok(())
}

#[test]
fn batch_norm_train_with_and_without_relu() -> Result<()> {
    let x = tensor(11, &[3, 4, 3, 5], DType::F64)?;
    let g = (tensor(12, &[4], DType::F64)? + 1.5)?;
    let b = tensor(13, &[4], DType::F64)?;
    // The output reads batch statistics only, so the running ones every call updates do not matter.
    let rm = Var::zeros(4, DType::F64, &Device::Cpu)?;
    let rv = Var::ones(4, DType::F64, &Device::Cpu)?;
    check_bn(k::batch_norm_train, [x, g, b], (&rm, &rv), 1e-5)
}

#[test]
fn conv2d_batch_norm_train_fused() -> Result<()> {
    let x = tensor(21, &[3, 2, 5, 4], DType::F64)?;
    let w = tensor(22, &[3, 2, 3, 3], DType::F64)?;
    let g = (tensor(23, &[3], DType::F64)? + 1.5)?;
    let b = tensor(24, &[3], DType::F64)?;
    let rm = Var::zeros(3, DType::F64, &Device::Cpu)?;
    let rv = Var::ones(3, DType::F64, &Device::Cpu)?;
    for (s, relu) in [(1, true), (2, false)] {
        gradcheck(
            &[x.clone(), w.clone(), g.clone(), b.clone()],
            |t| {
                let params = bn(&t[2], &t[3], (&rm, &rv));
                Ok(k::conv2d_batch_norm_train(
                    &t[0], &t[1], s, 1, params, relu,
                )?)
            },
            1e-5,
        )?;
    }
    Ok(())
}

#[test]
fn batch_norm_eval_gradients_reach_weight_and_bias() -> Result<()> {
    let x = tensor(14, &[2, 3, 4, 4], DType::F64)?;
    let g = tensor(15, &[3], DType::F64)?;
    let b = tensor(16, &[3], DType::F64)?;
    let mean = Var::from_tensor(&tensor(17, &[3], DType::F64)?)?;
    let var = Var::from_tensor(&(tensor(18, &[3], DType::F64)?.abs()? + 0.5)?)?;
    check_bn(k::batch_norm_eval, [x, g, b], (&mean, &var), TOL)
}

#[test]
fn wrong_shapes_are_errors_not_panics() -> Result<()> {
    let x = tensor(19, &[1, 3, 4, 4], DType::F32)?;
    assert!(k::conv2d(&x, &tensor(20, &[2, 4, 3, 3], DType::F32)?, 1, 1).is_err());
    assert!(k::conv2d(&x, &tensor(20, &[2, 3, 7, 7], DType::F32)?, 1, 0).is_err());
    assert!(k::max_pool2d(&x, 3, 0, 1).is_err());
    assert!(k::global_avg_pool(&Tensor::zeros(3, DType::F32, &Device::Cpu)?).is_err());
    assert!(k::add_relu(&x, &x.narrow(2, 0, 2)?).is_err());
    Ok(())
}
