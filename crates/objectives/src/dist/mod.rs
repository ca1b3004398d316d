//! Data-parallel training: a communicator between the processes of one run (all-reduce,
//! all-gather, broadcast, barrier) with a single-process backend (world = 1, the default: every
//! collective is the identity, so the loop computes exactly what it computes without one) and an
//! MPI backend behind the `mpi` feature, and an in-process one (ranks as threads) that checks
//! the algorithm where MPI is absent; tensor-level collectives on top; the rank's shard of a
//! batch; how a process finds its rank.

mod all_gather;
mod all_reduce;
mod broadcast;
mod communicator;
mod launch;
#[cfg(feature = "mpi")]
mod mpi;
mod single;
mod threads;

pub use all_gather::gather_rows;
pub use all_reduce::{average_gradients, average_scalars};
pub use broadcast::broadcast_vars;
pub use communicator::Communicator;
pub use launch::{Backend, connect};
#[cfg(feature = "mpi")]
pub use mpi::MpiCommunicator;
pub use single::SingleProcess;
pub use sslinv_datasets::stream::shard;
pub use threads::ThreadRanks;
