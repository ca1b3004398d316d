//! `Plan`: which images a step's batch holds.

use std::ops::Range;

use super::seeding::epoch_order;

/// How a loader walks a source: batch size, shuffling and the seed of both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Number of images in the source.
    pub n: usize,
    /// Images per batch.
    pub batch_size: usize,
    /// Seed of the epoch orders and of the per-sample randomness.
    pub seed: u64,
    /// Shuffle every epoch (training) or keep the source's order (evaluation).
    pub shuffle: bool,
    /// Drop the last partial batch of an epoch, as the papers' training loaders do.
    pub drop_last: bool,
}

impl Plan {
    /// Training: a fresh shuffle every epoch, full batches only.
    pub fn shuffled(n: usize, batch_size: usize, seed: u64) -> Plan {
        Plan {
            n,
            batch_size,
            seed,
            shuffle: true,
            drop_last: true,
        }
    }

    /// Evaluation: the source's order, the last batch possibly shorter.
    pub fn sequential(n: usize, batch_size: usize) -> Plan {
        Plan {
            n,
            batch_size,
            seed: 0,
            shuffle: false,
            drop_last: false,
        }
    }

    /// Batches per epoch (0 when a batch size of 0 or, with `drop_last`, too few images).
    pub fn steps_per_epoch(&self) -> u64 {
        if self.batch_size == 0 {
            return 0;
        }
        let full = self.n / self.batch_size;
        let partial = !self.drop_last && !self.n.is_multiple_of(self.batch_size);
        (full + usize::from(partial)) as u64
    }

    /// The epoch of `step` and the positions (in that epoch's order) its batch covers.
    pub fn positions(&self, step: u64) -> (u64, Range<usize>) {
        let per = self.steps_per_epoch().max(1);
        let first = (step % per) as usize * self.batch_size;
        (step / per, first..(first + self.batch_size).min(self.n))
    }

    /// The order epoch `epoch` visits the images in.
    pub fn order(&self, epoch: u64) -> Vec<usize> {
        if self.shuffle {
            epoch_order(self.seed, epoch, self.n)
        } else {
            (0..self.n).collect()
        }
    }
}
