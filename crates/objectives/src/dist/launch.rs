//! How a process joins its run: the backend named on the command line, rank and world from the
//! launcher (`mpirun`, or `srun` through MPI's PMI support).

use std::str::FromStr;

use super::{Communicator, SingleProcess};
use crate::{ObjectivesError, Result};

/// The communication backend of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// One process (world = 1).
    #[default]
    Single,
    /// MPI (Open MPI or any MPI the `mpi` crate builds against): CPU clusters.
    Mpi,
}

impl FromStr for Backend {
    type Err = ObjectivesError;

    fn from_str(s: &str) -> Result<Backend> {
        match s {
            "none" | "single" => Ok(Backend::Single),
            "mpi" => Ok(Backend::Mpi),
            other => Err(ObjectivesError::Config(format!(
                "unknown distributed backend `{other}` (none, mpi)"
            ))),
        }
    }
}

/// The number of tasks Slurm started for this step, when run under `srun`.
fn slurm_tasks() -> Option<usize> {
    std::env::var("SLURM_NTASKS")
        .or_else(|_| std::env::var("SLURM_NPROCS"))
        .ok()?
        .parse()
        .ok()
}

/// Joins the run through `backend`. MPI takes rank and world from its launcher; under `srun`
/// they must agree with `SLURM_PROCID` / `SLURM_NTASKS` (an MPI without Slurm's PMI support would
/// start every task as a world of one, silently training W separate models).
pub fn connect(backend: Backend) -> Result<Box<dyn Communicator>> {
    let comm: Box<dyn Communicator> = match backend {
        Backend::Single => Box::new(SingleProcess),
        #[cfg(feature = "mpi")]
        Backend::Mpi => Box::new(super::MpiCommunicator::init()?),
        #[cfg(not(feature = "mpi"))]
        Backend::Mpi => {
            return Err(ObjectivesError::Config(
                "`--distributed mpi` needs a build with the `mpi` feature \
                 (cargo build --release -p xtask --features mpi)"
                    .into(),
            ));
        }
    };
    if backend == Backend::Mpi
        && let Some(tasks) = slurm_tasks()
        && tasks != comm.world()
        && std::env::var("OMPI_COMM_WORLD_SIZE").is_err()
    {
        return Err(ObjectivesError::Config(format!(
            "srun started {tasks} tasks but MPI sees a world of {}: launch with \
             `srun --mpi=pmix` (or pmi2, whichever `srun --mpi=list` offers) or with mpirun",
            comm.world()
        )));
    }
    Ok(comm)
}
