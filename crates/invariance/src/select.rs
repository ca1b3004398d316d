//! Which images a run measures: all of them in order, or a seeded draw.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use sslinv_augment::{NumpyRandomState, Protocol};

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

/// The paper code's draw: `n` indices out of `total` *with* replacement, exactly as
/// `np.random.seed(seed); np.random.choice(np.arange(total), n)` (NumPy's legacy generator).
pub fn draw_images_with_replacement(total: usize, n: usize, seed: u64) -> Result<Vec<usize>> {
    if total == 0 && n > 0 {
        return Err(InvarianceError::Invalid(format!(
            "{n} images requested but none available"
        )));
    }
    let seed = u32::try_from(seed)
        .map_err(|_| InvarianceError::Invalid(format!("NumPy seeds are 32-bit, got {seed}")))?;
    Ok(NumpyRandomState::new(seed).choice_with_replacement(total, n))
}

/// The images a sweep measures under `protocol`: [`draw_images`] for `Corrected`; for
/// `PaperCode`, `n` (default: `total`) draws with replacement.
pub fn draw_images_for(
    protocol: Protocol,
    total: usize,
    n: Option<usize>,
    seed: u64,
) -> Result<Vec<usize>> {
    match protocol {
        Protocol::Corrected => draw_images(total, n, seed),
        Protocol::PaperCode => draw_images_with_replacement(total, n.unwrap_or(total), seed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_code_draws_repeat_and_follow_numpy() {
        let d = draw_images_for(Protocol::PaperCode, 5, Some(40), 0).unwrap();
        assert_eq!(d.len(), 40);
        let mut s = d.clone();
        s.sort_unstable();
        s.dedup();
        assert!(s.len() < 40 && s.iter().all(|&i| i < 5));
        // np.random.seed(0); np.random.choice(np.arange(50000), 5)
        assert_eq!(
            draw_images_with_replacement(50_000, 5, 0).unwrap(),
            vec![2732, 43567, 42613, 45891, 21243]
        );
        assert!(draw_images_with_replacement(5, 1, 1 << 40).is_err());
    }

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
