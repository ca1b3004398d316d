//! The in-place optimiser updates against the same formulas written with candle ops.

mod common;

use candle_core::{DType, Result, Tensor, Var};
use common::{max_diff, tensor};
use sslinv_kernels::{SgdStep, ema_update, sgd_update};

/// `(p', b')` after one step of `d = s (g + wd p); b' = m b + d (or d); p' = p - lr b'`.
fn expected(p: &Tensor, g: &Tensor, b: Option<&Tensor>, h: SgdStep) -> Result<(Tensor, Tensor)> {
    let d = ((g + (p * h.weight_decay)?)? * h.scale)?;
    let b = match b {
        Some(b) if h.momentum != 0.0 => ((b * h.momentum)? + &d)?,
        _ => d,
    };
    Ok(((p - (&b * h.lr)?)?, b))
}

#[test]
fn sgd_update_matches_the_formula() -> Result<()> {
    // 70_001 elements: several parallel chunks plus a ragged end.
    for (dtype, n, tol) in [(DType::F32, 70_001, 1e-6), (DType::F64, 37, 1e-14)] {
        let p0 = tensor(1, &[n], dtype)?;
        let g1 = tensor(2, &[n], dtype)?;
        let g2 = tensor(3, &[n], dtype)?;
        let h = SgdStep {
            lr: 0.1,
            momentum: 0.9,
            weight_decay: 1e-2,
            scale: 0.7,
        };
        let var = Var::from_tensor(&p0)?;
        let b1 = sgd_update(&var, &g1, None, h)?.expect("buffer");
        let (p1, e1) = expected(&p0, &g1, None, h)?;
        assert!(max_diff(var.as_tensor(), &p1)? < tol);
        assert!(max_diff(&b1, &e1)? < tol);
        let b1_copy = b1.copy()?;
        let b2 = sgd_update(&var, &g2, Some(&b1), h)?.expect("buffer");
        let (p2, e2) = expected(&p1, &g2, Some(&e1), h)?;
        assert!(max_diff(var.as_tensor(), &p2)? < tol);
        assert!(max_diff(&b2, &e2)? < tol);
        // The old buffer is not written (checkpoints may hold it).
        assert_eq!(max_diff(&b1, &b1_copy)?, 0.0);
        // Plain SGD keeps no buffer.
        let plain = SgdStep { momentum: 0.0, ..h };
        let before = var.as_tensor().copy()?;
        assert!(sgd_update(&var, &g1, None, plain)?.is_none());
        let (p3, _) = expected(&before, &g1, None, plain)?;
        assert!(max_diff(var.as_tensor(), &p3)? < tol);
    }
    Ok(())
}

#[test]
fn sgd_update_rejects_mismatched_shapes() -> Result<()> {
    let var = Var::from_tensor(&tensor(1, &[4, 3], DType::F32)?)?;
    let g = tensor(2, &[12], DType::F32)?;
    let h = SgdStep {
        lr: 0.1,
        momentum: 0.0,
        weight_decay: 0.0,
        scale: 1.0,
    };
    assert!(sgd_update(&var, &g, None, h).is_err());
    Ok(())
}

#[test]
fn ema_update_matches_the_formula() -> Result<()> {
    let t0 = tensor(4, &[3, 5, 7], DType::F32)?;
    let o = tensor(5, &[3, 5, 7], DType::F32)?;
    let var = Var::from_tensor(&t0)?;
    ema_update(&var, &o, 0.99)?;
    let want = ((&t0 * 0.99)? + (&o * 0.01)?)?;
    assert!(max_diff(var.as_tensor(), &want)? < 1e-7);
    Ok(())
}
