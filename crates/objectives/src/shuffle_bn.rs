//! MoCo's shuffle-BN for the keys, on one process or across the ranks of a data-parallel run.

use candle_core::Tensor;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::backbone::{Backbone, forward_split};
use crate::dist::{Communicator, gather_rows, shard};
use crate::{Head, Result};

/// The keys of the key images `x2` (this rank's shard of the batch), detached: the whole
/// batch's, in batch order, and this rank's rows of them.
///
/// Keys go through the key encoder in a random order, in sub-batches with their own BN
/// statistics (`splits` per rank), so a query and its key never share batch statistics. Across
/// ranks this is MoCo's `_batch_shuffle_ddp`: gather every rank's key images, shuffle the global
/// batch with one permutation (the same on every rank: it comes from `seed`), encode this rank's
/// slice, gather the keys, undo the shuffle. With one rank it is the single-process emulation.
pub fn shuffled_keys<B: Backbone>(
    key: &B,
    key_head: &Head,
    x2: &Tensor,
    splits: usize,
    seed: u64,
    comm: &dyn Communicator,
) -> Result<(Tensor, Tensor)> {
    let (rank, world) = (comm.rank(), comm.world());
    let x2 = gather_rows(comm, x2)?;
    let total = x2.dim(0)?;
    let mut perm: Vec<u32> = (0..total as u32).collect();
    perm.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let mut inverse = vec![0u32; total];
    for (i, &p) in perm.iter().enumerate() {
        inverse[p as usize] = i as u32;
    }
    let dev = x2.device();
    let perm = Tensor::from_vec(perm, total, dev)?;
    let inverse = Tensor::from_vec(inverse, total, dev)?;
    let mine = shard(0..total, rank, world);
    let mut x2s = x2.index_select(&perm, 0)?;
    if world > 1 {
        x2s = x2s.narrow(0, mine.start, mine.len())?;
    }
    let k = forward_split(key, key_head, &x2s, splits)?.detach();
    let k = gather_rows(comm, &k)?.index_select(&inverse, 0)?;
    let own = if world > 1 {
        k.narrow(0, mine.start, mine.len())?
    } else {
        k.clone()
    };
    Ok((k, own))
}
