//! `conv2d_batch_norm_train` against `conv2d` then `batch_norm_train`: the same bits, forward,
//! gradients and running statistics.

mod common;

use candle_core::{DType, Device, Result, Tensor, Var};
use common::{bn, tensor};
use sslinv_kernels as k;

/// Output, gradients of (x, w, gamma, beta) and the running statistics after one step.
fn step(
    fused: bool,
    (s, p, relu): (usize, usize, bool),
    shapes: ([usize; 4], [usize; 4]),
) -> Result<Vec<Vec<u32>>> {
    let (xs, ws) = shapes;
    let co = ws[0];
    let vars = [
        Var::from_tensor(&tensor(1, &xs, DType::F32)?)?,
        Var::from_tensor(&tensor(2, &ws, DType::F32)?)?,
        Var::from_tensor(&(tensor(3, &[co], DType::F32)? + 1.0)?)?,
        Var::from_tensor(&tensor(4, &[co], DType::F32)?)?,
    ];
    let rm = Var::from_tensor(&tensor(5, &[co], DType::F32)?)?;
    let rv = Var::from_tensor(&(tensor(6, &[co], DType::F32)?.abs()? + 0.5)?)?;
    let [x, w, g, b] = vars.each_ref().map(|v| v.as_tensor());
    let params = bn(g, b, (&rm, &rv));
    let y = if fused {
        k::conv2d_batch_norm_train(x, w, s, p, params, relu)?
    } else {
        k::batch_norm_train(&k::conv2d(x, w, s, p)?, params, relu)?
    };
    let grads = (&y * tensor(7, y.dims(), DType::F32)?)?
        .sum_all()?
        .backward()?;
    let mut out = vec![y];
    for v in &vars {
        out.push(grads.get(v.as_tensor()).expect("gradient").clone());
    }
    out.push(rm.as_tensor().clone());
    out.push(rv.as_tensor().clone());
    out.iter()
        .map(|t| {
            Ok(t.flatten_all()?
                .to_vec1::<f32>()?
                .iter()
                .map(|v| v.to_bits())
                .collect())
        })
        .collect()
}

#[test]
fn fused_conv_batch_norm_gives_the_two_ops_bits() -> Result<()> {
    // 3x3 "same" with ReLU, strided, a 1x1 downsample without ReLU, and a 4x4 map in chunks.
    for (conv, shapes) in [
        ((1, 1, true), ([3, 4, 9, 8], [6, 4, 3, 3])),
        ((2, 1, true), ([2, 5, 9, 9], [4, 5, 3, 3])),
        ((2, 0, false), ([3, 8, 8, 8], [16, 8, 1, 1])),
        ((1, 1, false), ([20, 16, 4, 4], [16, 16, 3, 3])),
    ] {
        let (a, b) = (step(true, conv, shapes)?, step(false, conv, shapes)?);
        let names = [
            "output",
            "dx",
            "dw",
            "dgamma",
            "dbeta",
            "running mean",
            "running var",
        ];
        for ((name, a), b) in names.iter().zip(&a).zip(&b) {
            assert_eq!(a, b, "{name} differs for {conv:?} {shapes:?}");
        }
    }
    Ok(())
}

#[test]
fn images_without_gradient_and_f64_follow_the_same_path() -> Result<()> {
    let x = tensor(8, &[2, 3, 6, 6], DType::F64)?;
    let w = Var::from_tensor(&tensor(9, &[4, 3, 3, 3], DType::F64)?)?;
    let (g, b) = (
        Tensor::ones(4, DType::F64, &Device::Cpu)?,
        Tensor::zeros(4, DType::F64, &Device::Cpu)?,
    );
    let rm = Var::zeros(4, DType::F64, &Device::Cpu)?;
    let rv = Var::ones(4, DType::F64, &Device::Cpu)?;
    let y = k::conv2d_batch_norm_train(&x, w.as_tensor(), 1, 1, bn(&g, &b, (&rm, &rv)), true)?;
    let grads = y.sum_all()?.backward()?;
    assert!(grads.get(&x).is_none(), "the images need no gradient");
    assert!(grads.get(w.as_tensor()).is_some());
    // A per-channel tensor of the wrong length is an error, not a panic.
    let short = Tensor::ones(3, DType::F64, &Device::Cpu)?;
    assert!(
        k::conv2d_batch_norm_train(&x, w.as_tensor(), 1, 1, bn(&short, &b, (&rm, &rv)), true)
            .is_err()
    );
    Ok(())
}
