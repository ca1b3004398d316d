//! Seeded, shuffled k-fold splits (scikit-learn's `KFold(shuffle=True)` layout).

use crate::error::{HeadsError, Result};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// One fold: the rows to fit on and the rows to validate on.
#[derive(Debug, Clone)]
pub struct Fold {
    /// Rows used for fitting.
    pub fit: Vec<usize>,
    /// Rows held out for validation.
    pub val: Vec<usize>,
}

/// Splits `n` rows into `k` shuffled folds; the first `n % k` folds hold one extra row.
pub fn kfold(n: usize, k: usize, seed: u64) -> Result<Vec<Fold>> {
    if k < 2 {
        return Err(HeadsError::Config(format!(
            "need at least 2 folds, got {k}"
        )));
    }
    if n < k {
        return Err(HeadsError::Empty(format!(
            "{n} training rows cannot fill {k} cross-validation folds"
        )));
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let mut folds = Vec::with_capacity(k);
    let mut start = 0;
    for f in 0..k {
        let size = n / k + usize::from(f < n % k);
        let mut val = order[start..start + size].to_vec();
        let mut fit: Vec<usize> = order[..start]
            .iter()
            .chain(&order[start + size..])
            .copied()
            .collect();
        // Sorted rows keep memory access sequential when gathering.
        val.sort_unstable();
        fit.sort_unstable();
        folds.push(Fold { fit, val });
        start += size;
    }
    Ok(folds)
}

/// One fixed split of `n` rows: the last `val_rows` validate, the others fit (a dataset's own
/// validation split appended after its training rows).
pub fn holdout(n: usize, val_rows: usize) -> Result<Vec<Fold>> {
    if val_rows == 0 || val_rows >= n {
        return Err(HeadsError::Empty(format!(
            "a validation split of {val_rows} rows out of {n} leaves no rows to fit or to validate"
        )));
    }
    Ok(vec![Fold {
        fit: (0..n - val_rows).collect(),
        val: (n - val_rows..n).collect(),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_partition_rows_and_are_seeded() {
        let folds = kfold(23, 5, 7).unwrap();
        let mut seen = [0; 23];
        for f in &folds {
            assert_eq!(f.fit.len() + f.val.len(), 23);
            f.val.iter().for_each(|&i| seen[i] += 1);
        }
        assert!(seen.iter().all(|&c| c == 1));
        assert_eq!(folds[0].val.len(), 5);
        assert_eq!(folds[4].val.len(), 4);
        assert_eq!(kfold(23, 5, 7).unwrap()[2].val, folds[2].val);
        assert_ne!(kfold(23, 5, 8).unwrap()[2].val, folds[2].val);
        assert!(kfold(3, 5, 0).is_err());
        assert!(kfold(10, 1, 0).is_err());
    }
}
