//! All-gather of tensors along the batch axis.

use candle_core::{Device, Tensor};

use super::Communicator;
use crate::{ObjectivesError, Result};

/// Every rank's `t` (same shape on every rank) concatenated along axis 0 in rank order, on
/// `t`'s device; with one rank, `t` itself. The result carries no gradient (MoCo gathers
/// inputs and keys, which need none).
pub fn gather_rows(comm: &dyn Communicator, t: &Tensor) -> Result<Tensor> {
    let world = comm.world();
    if world == 1 {
        return Ok(t.clone());
    }
    let dims = t.dims().to_vec();
    let Some(&rows) = dims.first() else {
        return Err(ObjectivesError::Shape("all-gather of a scalar".into()));
    };
    let local: Vec<f32> = t
        .detach()
        .to_device(&Device::Cpu)?
        .to_dtype(candle_core::DType::F32)?
        .flatten_all()?
        .to_vec1()?;
    let all = comm.all_gather(&local)?;
    let mut shape = dims;
    shape[0] = rows * world;
    Ok(Tensor::from_vec(all, shape, &Device::Cpu)?
        .to_dtype(t.dtype())?
        .to_device(t.device())?)
}
