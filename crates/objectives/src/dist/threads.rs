//! An in-process backend: W ranks as W threads of one process, exchanging through shared
//! memory. It runs the data-parallel algorithm where no MPI is installed (the tests use it to
//! check that W ranks equal one process with `bn_splits = W`).

use std::sync::{Arc, Barrier, Mutex};

use super::Communicator;
use crate::{ObjectivesError, Result};

struct Shared {
    slots: Mutex<Vec<Vec<f32>>>,
    barrier: Barrier,
}

/// One rank of a group of threads made by [`ThreadRanks::group`].
pub struct ThreadRanks {
    rank: usize,
    world: usize,
    shared: Arc<Shared>,
}

impl ThreadRanks {
    /// `world` ranks sharing one exchange; hand rank r to the r-th thread.
    pub fn group(world: usize) -> Vec<ThreadRanks> {
        let world = world.max(1);
        let shared = Arc::new(Shared {
            slots: Mutex::new(vec![Vec::new(); world]),
            barrier: Barrier::new(world),
        });
        (0..world)
            .map(|rank| ThreadRanks {
                rank,
                world,
                shared: shared.clone(),
            })
            .collect()
    }

    /// Every rank's `local`, in rank order: each rank posts its buffer, all read once every
    /// buffer is posted, and nobody posts the next one before everybody has read.
    fn exchange(&self, local: &[f32]) -> Result<Vec<Vec<f32>>> {
        let poisoned = || ObjectivesError::Config("a rank thread panicked".into());
        self.shared.slots.lock().map_err(|_| poisoned())?[self.rank] = local.to_vec();
        self.shared.barrier.wait();
        let all = self.shared.slots.lock().map_err(|_| poisoned())?.clone();
        self.shared.barrier.wait();
        if all.iter().any(|s| s.len() != local.len()) {
            return Err(ObjectivesError::Shape(format!(
                "ranks passed buffers of lengths {:?} to one collective",
                all.iter().map(Vec::len).collect::<Vec<_>>()
            )));
        }
        Ok(all)
    }
}

impl Communicator for ThreadRanks {
    fn rank(&self) -> usize {
        self.rank
    }

    fn world(&self) -> usize {
        self.world
    }

    fn all_reduce_sum(&self, data: &mut [f32]) -> Result<()> {
        let all = self.exchange(data)?;
        // Summed in rank order on every rank, so every rank gets the same bits.
        for (i, v) in data.iter_mut().enumerate() {
            *v = all.iter().map(|s| s[i]).sum();
        }
        Ok(())
    }

    fn all_gather(&self, local: &[f32]) -> Result<Vec<f32>> {
        Ok(self.exchange(local)?.concat())
    }

    fn broadcast(&self, data: &mut [f32], root: usize) -> Result<()> {
        if root >= self.world {
            return Err(ObjectivesError::Config(format!(
                "broadcast from rank {root} in a world of {}",
                self.world
            )));
        }
        let all = self.exchange(data)?;
        data.copy_from_slice(&all[root]);
        Ok(())
    }

    fn barrier(&self) -> Result<()> {
        self.shared.barrier.wait();
        Ok(())
    }
}
