//! The MPI backend (the `mpi` crate over the system's MPI, e.g. Open MPI): one rank per process
//! of `mpirun -np W` or `srun --mpi=pmix -n W`.

use mpi::collective::{CommunicatorCollectives, Root, SystemOperation};
use mpi::environment::Universe;
use mpi::topology::{Communicator as _, SimpleCommunicator};

use super::Communicator;
use crate::{ObjectivesError, Result};

/// MPI's world communicator; MPI is finalised when this is dropped.
pub struct MpiCommunicator {
    world: SimpleCommunicator,
    // Declared after `world` so the communicator is dropped before MPI is finalised.
    _universe: Universe,
}

impl MpiCommunicator {
    /// Initialises MPI (once per process) and joins its world.
    pub fn init() -> Result<MpiCommunicator> {
        let universe = mpi::initialize().ok_or_else(|| {
            ObjectivesError::Config("MPI was already initialised in this process".into())
        })?;
        Ok(MpiCommunicator {
            world: universe.world(),
            _universe: universe,
        })
    }
}

impl Communicator for MpiCommunicator {
    fn rank(&self) -> usize {
        self.world.rank() as usize
    }

    fn world(&self) -> usize {
        self.world.size() as usize
    }

    fn all_reduce_sum(&self, data: &mut [f32]) -> Result<()> {
        let send = data.to_vec();
        self.world
            .all_reduce_into(&send[..], data, SystemOperation::sum());
        Ok(())
    }

    fn all_gather(&self, local: &[f32]) -> Result<Vec<f32>> {
        let mut all = vec![0f32; local.len() * self.world()];
        self.world.all_gather_into(local, &mut all[..]);
        Ok(all)
    }

    fn broadcast(&self, data: &mut [f32], root: usize) -> Result<()> {
        if root >= self.world() {
            return Err(ObjectivesError::Config(format!(
                "broadcast from rank {root} in a world of {}",
                self.world()
            )));
        }
        self.world.process_at_rank(root as i32).broadcast_into(data);
        Ok(())
    }

    fn barrier(&self) -> Result<()> {
        self.world.barrier();
        Ok(())
    }
}
