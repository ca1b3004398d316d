//! Which images a run measures: all of them in order, or a seeded draw.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::error::{InvarianceError, Result};

/// Indices of the images to measure out of `total`: all in order when `n` is None, else `n`
/// distinct indices drawn with `seed` (in draw order).
pub fn draw_images(total: usize, n: Option<usize>, seed: u64) -> Result<Vec<usize>> {
    let mut idx: Vec<usize> = (0..total).collect();
    let Some(n) = n else { return Ok(idx) };
    if n > total {
        return Err(InvarianceError::Invalid(format!(
            "{n} images requested but only {total} available"
        )));
    }
    idx.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    idx.truncate(n);
    Ok(idx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_in_order_or_a_seeded_distinct_draw() {
        assert_eq!(draw_images(4, None, 1).unwrap(), vec![0, 1, 2, 3]);
        let a = draw_images(100, Some(10), 7).unwrap();
        assert_eq!(a, draw_images(100, Some(10), 7).unwrap());
        assert_ne!(a, draw_images(100, Some(10), 8).unwrap());
        let mut s = a.clone();
        s.sort_unstable();
        s.dedup();
        assert_eq!(s.len(), 10);
        assert!(draw_images(3, Some(4), 0).is_err());
    }
}
