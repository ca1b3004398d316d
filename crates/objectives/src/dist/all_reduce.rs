//! All-reduce of gradients (averaged over ranks, in buckets) and of logged scalars.

use candle_core::backprop::GradStore;
use candle_core::{Device, Tensor, Var};

use super::Communicator;
use crate::Result;

/// Floats per all-reduce: gradients are flattened into buckets of about 25 MB (PyTorch DDP's
/// default bucket size), so a ResNet-50 takes a few collectives instead of one per parameter.
const BUCKET: usize = 25 * 1024 * 1024 / 4;

/// Replaces the gradient of every parameter in `params` by its mean over the ranks. Every rank
/// must hold a gradient for the same parameters; with one rank nothing changes.
pub fn average_gradients(
    comm: &dyn Communicator,
    grads: &mut GradStore,
    params: &[Var],
) -> Result<()> {
    let world = comm.world();
    if world == 1 {
        return Ok(());
    }
    let with_grad: Vec<(&Var, Tensor)> = params
        .iter()
        .filter_map(|p| grads.get(p.as_tensor()).map(|g| (p, g.clone())))
        .collect();
    let mut start = 0;
    while start < with_grad.len() {
        let mut end = start;
        let mut len = 0;
        while end < with_grad.len()
            && (end == start || len + with_grad[end].1.elem_count() <= BUCKET)
        {
            len += with_grad[end].1.elem_count();
            end += 1;
        }
        let mut flat = Vec::with_capacity(len);
        for (_, g) in &with_grad[start..end] {
            flat.extend(g.to_device(&Device::Cpu)?.flatten_all()?.to_vec1::<f32>()?);
        }
        comm.all_reduce_sum(&mut flat)?;
        let scale = 1.0 / world as f32;
        let mut at = 0;
        for (p, g) in &with_grad[start..end] {
            let n = g.elem_count();
            let mean: Vec<f32> = flat[at..at + n].iter().map(|v| v * scale).collect();
            let mean = Tensor::from_vec(mean, g.dims(), &Device::Cpu)?.to_device(g.device())?;
            grads.insert(p.as_tensor(), mean);
            at += n;
        }
        start = end;
    }
    Ok(())
}

/// The mean over the ranks of each value (a step's loss and accuracy, so every rank logs and
/// checks the global batch's numbers); with one rank, the values themselves.
pub fn average_scalars<const N: usize>(
    comm: &dyn Communicator,
    values: [f32; N],
) -> Result<[f32; N]> {
    let world = comm.world();
    if world == 1 {
        return Ok(values);
    }
    let mut sum = values;
    comm.all_reduce_sum(&mut sum)?;
    Ok(sum.map(|v| v / world as f32))
}
