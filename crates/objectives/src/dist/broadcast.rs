//! Broadcast of variables, so every rank starts from the same weights.

use candle_core::{Device, Tensor, Var};

use super::Communicator;
use crate::Result;

/// Sets every variable in `vars` on every rank to `root`'s value, as PyTorch DDP does when it
/// wraps a module; with one rank nothing changes.
pub fn broadcast_vars(comm: &dyn Communicator, vars: &[Var], root: usize) -> Result<()> {
    if comm.world() == 1 {
        return Ok(());
    }
    for v in vars {
        let t = v.as_tensor();
        let mut data: Vec<f32> = t.to_device(&Device::Cpu)?.flatten_all()?.to_vec1()?;
        comm.broadcast(&mut data, root)?;
        v.set(&Tensor::from_vec(data, t.dims(), &Device::Cpu)?.to_device(t.device())?)?;
    }
    Ok(())
}
