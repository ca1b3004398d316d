//! The momentum (exponential moving average) update of key / target networks.

use std::f64::consts::PI;

use candle_core::Var;

use crate::{ObjectivesError, Result};

/// `target = m target + (1 - m) online`, parameter by parameter (MoCo's key encoder, BYOL's
/// target); the lists must be in the same order with equal shapes.
pub fn momentum_update(target: &[Var], online: &[Var], m: f64) -> Result<()> {
    if target.len() != online.len() {
        return Err(ObjectivesError::Shape(format!(
            "{} target parameters for {} online ones",
            target.len(),
            online.len()
        )));
    }
    for (t, o) in target.iter().zip(online) {
        if t.dims() != o.dims() {
            return Err(ObjectivesError::Shape(format!(
                "target {:?} vs online {:?}",
                t.dims(),
                o.dims()
            )));
        }
        sslinv_kernels::ema_update(t, o.as_tensor(), m).map_err(candle_core::Error::from)?;
    }
    Ok(())
}

/// BYOL's momentum schedule: `1 - (1 - m0) (cos(pi k / K) + 1) / 2` at step k of K.
pub fn byol_momentum(m0: f64, step: u64, total: u64) -> f64 {
    if total == 0 {
        return m0;
    }
    let p = (step as f64 / total as f64).min(1.0);
    1.0 - (1.0 - m0) * ((PI * p).cos() + 1.0) / 2.0
}
