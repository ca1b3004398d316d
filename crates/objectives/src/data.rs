//! Batches of view pairs, reproducible whatever the thread scheduling: the data order comes
//! from (seed, epoch) and each sample's augmentation from (seed, epoch, position).

use candle_core::{Device, Tensor};
use image::RgbImage;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use sslinv_augment::{Policy, Preprocess};

use crate::learner::mix;
use crate::{ObjectivesError, Result};

/// Two views of a batch, ready for the networks.
pub struct Batch {
    /// The optimiser step this batch is for.
    pub step: u64,
    /// First views, N x 3 x S x S, ImageNet-normalised.
    pub x1: Tensor,
    /// Second views.
    pub x2: Tensor,
}

/// The order in which epoch `epoch` visits the `n` images.
pub fn epoch_order(seed: u64, epoch: u64, n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(mix(seed, 5, epoch)));
    order
}

/// Makes the views for `step` (`steps_per_epoch` batches per epoch, the last partial batch of
/// an epoch dropped as the papers' loaders do).
#[allow(clippy::too_many_arguments)]
pub fn make_batch(
    images: &[RgbImage],
    order: &[usize],
    policy: &Policy,
    size: u32,
    batch: usize,
    seed: u64,
    step: u64,
    steps_per_epoch: u64,
    device: &Device,
) -> Result<Batch> {
    let epoch = step / steps_per_epoch;
    let first = (step % steps_per_epoch) as usize * batch;
    let pairs: Vec<(RgbImage, RgbImage)> = (first..first + batch)
        .into_par_iter()
        .map(|pos| {
            let mut rng = ChaCha8Rng::seed_from_u64(mix(mix(seed, 6, epoch), 7, pos as u64));
            policy.views(&images[order[pos]], size, &mut rng)
        })
        .collect();
    let (a, b): (Vec<RgbImage>, Vec<RgbImage>) = pairs.into_iter().unzip();
    let prep = Preprocess::new(None, None);
    let up = |e: sslinv_augment::AugmentError| ObjectivesError::Upstream(e.to_string());
    let x1 = prep.to_tensor(&a, device).map_err(up)?;
    let x2 = prep.to_tensor(&b, device).map_err(up)?;
    Ok(Batch { step, x1, x2 })
}
