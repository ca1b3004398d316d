//! `residual_block_train` against its units one by one (`conv2d_batch_norm_train`, `add_relu`):
//! the same bits for the output, every gradient and the running statistics.

mod common;

use candle_core::{DType, Result, Tensor, Var};
use common::{bn, tensor};
use sslinv_kernels as k;

/// A unit's conv weight, gamma, beta and running statistics.
struct UnitVars {
    weight: Var,
    gamma: Var,
    beta: Var,
    mean: Var,
    var: Var,
    stride: usize,
}

impl UnitVars {
    fn new(seed: u64, w: [usize; 4], stride: usize, dtype: DType) -> Result<Self> {
        let co = w[0];
        Ok(Self {
            weight: Var::from_tensor(&tensor(seed, &w, dtype)?)?,
            gamma: Var::from_tensor(&(tensor(seed + 1, &[co], dtype)? + 1.0)?)?,
            beta: Var::from_tensor(&tensor(seed + 2, &[co], dtype)?)?,
            mean: Var::from_tensor(&tensor(seed + 3, &[co], dtype)?)?,
            var: Var::from_tensor(&(tensor(seed + 4, &[co], dtype)?.abs()? + 0.5)?)?,
            stride,
        })
    }

    fn unit(&self) -> k::ConvBnUnit<'_> {
        k::ConvBnUnit {
            weight: self.weight.as_tensor(),
            stride: self.stride,
            padding: self.weight.dims()[2] / 2,
            bn: bn(
                self.gamma.as_tensor(),
                self.beta.as_tensor(),
                (&self.mean, &self.var),
            ),
        }
    }
}

/// A block's shapes: input, the main path's weights (stride on the first) and the projection.
struct Case {
    x: [usize; 4],
    main: Vec<[usize; 4]>,
    stride: usize,
    proj: Option<[usize; 4]>,
}

/// Output, input gradient (when `x` is a variable), every parameter's gradient and the running
/// statistics after one forward and backward, as bit patterns.
fn step(fused: bool, case: &Case, x_var: bool, dtype: DType) -> Result<Vec<Vec<u64>>> {
    let x = Var::from_tensor(&tensor(1, &case.x, dtype)?)?;
    let xt = if x_var {
        x.as_tensor().clone()
    } else {
        x.as_tensor().detach()
    };
    let main: Vec<UnitVars> = (case.main.iter().enumerate())
        .map(|(i, w)| {
            let s = if i == 0 { case.stride } else { 1 };
            UnitVars::new(10 * i as u64 + 10, *w, s, dtype)
        })
        .collect::<Result<_>>()?;
    let proj = (case.proj)
        .map(|w| UnitVars::new(90, w, case.stride, dtype))
        .transpose()?;
    let units: Vec<_> = main.iter().map(UnitVars::unit).collect();
    let down = proj.as_ref().map(UnitVars::unit);
    let y = if fused {
        k::residual_block_train(&xt, &units, down)?
    } else {
        let mut y = xt.clone();
        for (i, u) in units.iter().enumerate() {
            let relu = i + 1 < units.len();
            y = k::conv2d_batch_norm_train(&y, u.weight, u.stride, u.padding, u.bn, relu)?;
        }
        let short = match down {
            Some(d) => k::conv2d_batch_norm_train(&xt, d.weight, d.stride, d.padding, d.bn, false)?,
            None => xt.clone(),
        };
        k::add_relu(&y, &short)?
    };
    let grads = (&y * tensor(7, y.dims(), dtype)?)?.sum_all()?.backward()?;
    let mut out = vec![y.clone()];
    if x_var {
        out.push(grads.get(x.as_tensor()).expect("dx").clone());
    } else {
        assert!(grads.get(x.as_tensor()).is_none());
    }
    for u in main.iter().chain(&proj) {
        for v in [&u.weight, &u.gamma, &u.beta] {
            out.push(
                grads
                    .get(v.as_tensor())
                    .expect("parameter gradient")
                    .clone(),
            );
        }
        out.push(u.mean.as_tensor().clone());
        out.push(u.var.as_tensor().clone());
    }
    out.iter().map(bits).collect()
}

fn bits(t: &Tensor) -> Result<Vec<u64>> {
    let t = t.flatten_all()?;
    Ok(match t.dtype() {
        DType::F64 => t.to_vec1::<f64>()?.iter().map(|v| v.to_bits()).collect(),
        _ => (t.to_vec1::<f32>()?.iter())
            .map(|v| u64::from(v.to_bits()))
            .collect(),
    })
}

#[test]
fn fused_block_gives_the_units_bits() -> Result<()> {
    let cases = [
        // Basic block, identity shortcut; a 4x4 map split into chunks of images.
        Case {
            x: [3, 6, 8, 8],
            main: vec![[6, 6, 3, 3], [6, 6, 3, 3]],
            stride: 1,
            proj: None,
        },
        Case {
            x: [20, 8, 4, 4],
            main: vec![[8, 8, 3, 3], [8, 8, 3, 3]],
            stride: 1,
            proj: None,
        },
        // Basic block with a strided 3x3 and a 1x1 projection.
        Case {
            x: [2, 4, 9, 9],
            main: vec![[8, 4, 3, 3], [8, 8, 3, 3]],
            stride: 2,
            proj: Some([8, 4, 1, 1]),
        },
        // Bottleneck: three units, projection without stride.
        Case {
            x: [2, 8, 6, 6],
            main: vec![[4, 8, 1, 1], [4, 4, 3, 3], [16, 4, 1, 1]],
            stride: 1,
            proj: Some([16, 8, 1, 1]),
        },
    ];
    for (i, case) in cases.iter().enumerate() {
        for (x_var, dtype) in [(true, DType::F32), (false, DType::F32), (true, DType::F64)] {
            let (a, b) = (
                step(true, case, x_var, dtype)?,
                step(false, case, x_var, dtype)?,
            );
            assert_eq!(a.len(), b.len());
            for (j, (a, b)) in a.iter().zip(&b).enumerate() {
                assert_eq!(
                    a, b,
                    "case {i}, x variable {x_var}, {dtype:?}: tensor {j} differs"
                );
            }
        }
    }
    Ok(())
}

#[test]
fn mismatched_blocks_are_errors() -> Result<()> {
    let dt = DType::F32;
    let x = tensor(1, &[2, 4, 8, 8], dt)?;
    let conv = UnitVars::new(10, [8, 4, 3, 3], 2, dt)?;
    let same = UnitVars::new(20, [8, 8, 3, 3], 1, dt)?;
    // A strided main path with an identity shortcut: shapes differ.
    let err =
        k::residual_block_train(&x, &[conv.unit(), same.unit()], None).expect_err("shapes differ");
    assert!(err.to_string().contains("shortcut"), "{err}");
    // Channels that do not chain.
    assert!(k::residual_block_train(&x, &[same.unit()], None).is_err());
    // No units.
    assert!(k::residual_block_train(&x, &[], None).is_err());
    Ok(())
}

#[test]
fn block_gradients_match_finite_differences() -> Result<()> {
    // Input and both weights of a basic block with projection, in f64.
    let dt = DType::F64;
    let (b1, b2, bp) = (
        UnitVars::new(10, [4, 3, 3, 3], 2, dt)?,
        UnitVars::new(20, [4, 4, 3, 3], 1, dt)?,
        UnitVars::new(30, [4, 3, 1, 1], 2, dt)?,
    );
    let f = |ts: &[Tensor]| -> Result<Tensor> {
        let mut u = [b1.unit(), b2.unit(), bp.unit()];
        u[0].weight = &ts[1];
        u[1].weight = &ts[2];
        u[2].weight = &ts[3];
        Ok(k::residual_block_train(&ts[0], &u[..2], Some(u[2]))?)
    };
    let inputs = [
        tensor(1, &[2, 3, 6, 6], dt)?,
        b1.weight.as_tensor().detach(),
        b2.weight.as_tensor().detach(),
        bp.weight.as_tensor().detach(),
    ];
    common::gradcheck(&inputs, f, 1e-5)
}
