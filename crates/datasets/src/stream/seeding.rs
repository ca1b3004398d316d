//! The seeding scheme of the data path: the order of an epoch comes from (seed, epoch) and the
//! randomness of one sample from (seed, epoch, position), so a batch is the same whatever the
//! thread count, the source (memory or files) or the step a run resumed from.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Tag mixed with the epoch for the epoch's shuffle.
const ORDER: u64 = 5;
/// Tag mixed with the epoch for the epoch's per-sample seeds.
const EPOCH: u64 = 6;
/// Tag mixed with a sample's position for its own seed.
const POSITION: u64 = 7;

/// Derives a seed from `seed` and two tags (splitmix64 finaliser over a mix of the three).
pub fn mix(seed: u64, a: u64, b: u64) -> u64 {
    let mut z =
        seed ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xD1B5_4A32_D192_ED69);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The order in which epoch `epoch` visits the `n` images.
pub fn epoch_order(seed: u64, epoch: u64, n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(mix(seed, ORDER, epoch)));
    order
}

/// The random stream of the sample at position `pos` of epoch `epoch`.
pub fn sample_rng(seed: u64, epoch: u64, pos: usize) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix(mix(seed, EPOCH, epoch), POSITION, pos as u64))
}
