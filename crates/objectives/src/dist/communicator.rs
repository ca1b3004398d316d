//! The collectives a data-parallel step needs, over f32 buffers in host memory.

use crate::Result;

/// The processes (ranks) of one training run and the collectives between them. Every rank must
/// call the same collectives in the same order with buffers of the same length.
pub trait Communicator {
    /// This process's rank, in `0..world()`.
    fn rank(&self) -> usize;
    /// Number of processes.
    fn world(&self) -> usize;
    /// Replaces `data` by its element-wise sum over every rank.
    fn all_reduce_sum(&self, data: &mut [f32]) -> Result<()>;
    /// Every rank's `local` (all of the same length), concatenated in rank order.
    fn all_gather(&self, local: &[f32]) -> Result<Vec<f32>>;
    /// Replaces `data` on every rank by `root`'s.
    fn broadcast(&self, data: &mut [f32], root: usize) -> Result<()>;
    /// Returns once every rank has reached it.
    fn barrier(&self) -> Result<()>;
}
