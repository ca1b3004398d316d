//! `Loader`: decodes and transforms a plan's batches on worker threads into a bounded queue.

use std::ops::Range;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, sync_channel};

use image::RgbImage;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::bad_files::{BadFileLog, BadFiles};
use super::plan::Plan;
use super::seeding::sample_rng;
use super::shard::shard;
use super::source::StreamSource;
use crate::error::{DatasetError, Result};

/// One batch as the loader hands it over.
#[derive(Debug)]
pub struct Loaded<B> {
    /// The step (batch index over all epochs) it is for.
    pub step: u64,
    /// The epoch the step falls in.
    pub epoch: u64,
    /// The source index of each sample (after any bad-file replacement).
    pub indices: Vec<usize>,
    /// What `collate` made of the transformed samples.
    pub data: B,
}

/// The batches of [`Loader::run`], in step order; an error ends them.
pub struct Batches<B, E> {
    rx: Receiver<std::result::Result<Loaded<B>, E>>,
}

impl<B, E> Iterator for Batches<B, E> {
    type Item = std::result::Result<Loaded<B>, E>;

    fn next(&mut self) -> Option<Self::Item> {
        self.rx.recv().ok()
    }
}

/// Streams the batches of a [`Plan`] over a [`StreamSource`]: worker threads decode each image
/// and apply a per-sample transform seeded by (seed, epoch, position), a batch at a time, into a
/// queue of `depth` batches. At most `depth + 2` batches are alive (queued, being built, being
/// used), whatever the size of the source.
pub struct Loader<'a, S: ?Sized> {
    source: &'a S,
    plan: Plan,
    threads: Option<usize>,
    depth: usize,
    bad_files: BadFiles,
    log: Mutex<BadFileLog>,
    rank: usize,
    world: usize,
}

impl<'a, S: StreamSource + ?Sized> Loader<'a, S> {
    /// A loader of `plan`'s batches over `source`, on rayon's global pool, 2 batches ahead,
    /// failing on the first unreadable image.
    pub fn new(source: &'a S, plan: Plan) -> Loader<'a, S> {
        Loader {
            source,
            plan,
            threads: None,
            depth: 2,
            bad_files: BadFiles::Fail,
            log: Mutex::new(BadFileLog::default()),
            rank: 0,
            world: 1,
        }
    }

    /// Decodes on a pool of its own with `n` threads (0: rayon's global pool). The batches do
    /// not depend on it.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = (n > 0).then_some(n);
        self
    }

    /// Batches prepared ahead of the consumer (at least 1).
    pub fn depth(mut self, depth: usize) -> Self {
        self.depth = depth.max(1);
        self
    }

    /// What to do with unreadable images.
    pub fn bad_files(mut self, policy: BadFiles) -> Self {
        self.bad_files = policy;
        self
    }

    /// Loads only rank `rank`'s shard of every batch (of `world` consecutive shards, see
    /// [`shard`]): a data-parallel run's ranks together load each batch once. The samples keep
    /// their positions' seeds, so the shards concatenated are the whole batch.
    pub fn shard(mut self, rank: usize, world: usize) -> Self {
        self.world = world.max(1);
        self.rank = rank.min(self.world - 1);
        self
    }

    /// The plan the loader follows.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The images skipped so far under [`BadFiles::Skip`].
    pub fn bad_file_log(&self) -> BadFileLog {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Decodes the image at `pos` of `order`, or under [`BadFiles::Skip`] the next readable one.
    fn load_at(&self, order: &[usize], pos: usize) -> Result<(usize, RgbImage)> {
        let n = order.len();
        let mut tries = 0;
        loop {
            let index = order[(pos + tries) % n];
            match self.source.load(index) {
                Ok(img) => return Ok((index, img)),
                Err(e) if self.bad_files == BadFiles::Skip && tries + 1 < n => {
                    if let Ok(mut log) = self.log.lock() {
                        log.record(self.source.origin(index), e.to_string());
                    }
                    tries += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn build<T: Send>(
        &self,
        order: &[usize],
        epoch: u64,
        positions: Range<usize>,
        item: &(impl Fn(RgbImage, &mut ChaCha8Rng) -> T + Sync),
    ) -> Result<(Vec<usize>, Vec<T>)> {
        let seed = self.plan.seed;
        let samples: Result<Vec<(usize, T)>> = positions
            .into_par_iter()
            .map(|pos| {
                let (index, img) = self.load_at(order, pos)?;
                Ok((index, item(img, &mut sample_rng(seed, epoch, pos))))
            })
            .collect();
        Ok(samples?.into_iter().unzip())
    }

    /// Runs the loader over `steps` and hands the batches to `consume` (on this thread) while
    /// a producer thread prepares the next ones: `item` turns a decoded image and its sample's
    /// random stream into a sample, `collate` a batch of samples into what `consume` gets.
    /// Leaving `consume` early stops the producer.
    pub fn run<T, B, E, R>(
        &self,
        steps: Range<u64>,
        item: impl Fn(RgbImage, &mut ChaCha8Rng) -> T + Sync,
        collate: impl Fn(Vec<T>) -> std::result::Result<B, E> + Send,
        consume: impl FnOnce(Batches<B, E>) -> R,
    ) -> R
    where
        T: Send,
        B: Send,
        E: From<DatasetError> + Send,
    {
        std::thread::scope(|scope| {
            let (tx, rx) = sync_channel(self.depth);
            let item = &item;
            scope.spawn(move || {
                let pool = match self.threads.map(|n| {
                    rayon::ThreadPoolBuilder::new()
                        .num_threads(n)
                        .thread_name(|i| format!("sslinv-data-{i}"))
                        .build()
                }) {
                    Some(Err(e)) => {
                        let _ = tx.send(Err(E::from(DatasetError::Threads(e))));
                        return;
                    }
                    Some(Ok(p)) => Some(p),
                    None => None,
                };
                if self.plan.n != self.source.len() {
                    let msg = format!(
                        "a plan for {} images over a source of {}",
                        self.plan.n,
                        self.source.len()
                    );
                    let _ = tx.send(Err(E::from(DatasetError::Unsupported(msg))));
                    return;
                }
                let mut order: Option<(u64, Vec<usize>)> = None;
                for step in steps {
                    let (epoch, positions) = self.plan.positions(step);
                    let positions = shard(positions, self.rank, self.world);
                    if order.as_ref().is_none_or(|(e, _)| *e != epoch) {
                        order = Some((epoch, self.plan.order(epoch)));
                    }
                    let ord = order.as_ref().map_or(&[][..], |(_, o)| o.as_slice());
                    let built = match &pool {
                        Some(p) => p.install(|| self.build(ord, epoch, positions, item)),
                        None => self.build(ord, epoch, positions, item),
                    };
                    let batch = built.map_err(E::from).and_then(|(indices, samples)| {
                        Ok(Loaded {
                            step,
                            epoch,
                            indices,
                            data: collate(samples)?,
                        })
                    });
                    let failed = batch.is_err();
                    if tx.send(batch).is_err() || failed {
                        break;
                    }
                }
            });
            consume(Batches { rx })
        })
    }
}
