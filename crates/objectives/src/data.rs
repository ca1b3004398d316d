//! The run's data: view pairs streamed from a source by `sslinv_datasets::stream`'s loader,
//! reproducible whatever the thread scheduling (the data order comes from (seed, epoch), each
//! sample's augmentation from (seed, epoch, position)).

use sslinv_augment::Policy;
use sslinv_datasets::stream::{Loader, Plan, StreamSource, ViewPairs};

pub use sslinv_datasets::stream::epoch_order;

use crate::config::PretrainConfig;
use crate::{ObjectivesError, Result};

/// The loader of `cfg`'s batches over `images` (full batches, reshuffled every epoch, bad files
/// as `cfg.bad_files` says) and the views it makes.
pub fn view_loader<'a, S: StreamSource + ?Sized>(
    cfg: &PretrainConfig,
    images: &'a S,
) -> Result<(Loader<'a, S>, ViewPairs)> {
    let policy = Policy::parse(&cfg.policy).map_err(|e| ObjectivesError::Config(e.to_string()))?;
    let plan = Plan::shuffled(images.len(), cfg.batch_size, cfg.seed);
    let loader = Loader::new(images, plan)
        .depth(cfg.prefetch)
        .bad_files(cfg.bad_files);
    Ok((loader, ViewPairs::new(policy, cfg.image_size)))
}
