//! Seeded subsets: the same images for every model of a study.

/// A seeded subset of `0..n` of at most `cap` indices, in increasing order (all of them when
/// `cap` is `None` or not below `n`).
pub fn subset(n: usize, cap: Option<usize>, seed: u64) -> Vec<usize> {
    match cap {
        Some(c) if c < n => {
            let mut idx: Vec<usize> = sslinv_datasets::splits::seeded_permutation(n, seed)
                .into_iter()
                .take(c)
                .collect();
            idx.sort_unstable();
            idx
        }
        _ => (0..n).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::subset;

    #[test]
    fn subsets_are_seeded_sorted_and_capped() {
        assert_eq!(subset(5, None, 0), vec![0, 1, 2, 3, 4]);
        assert_eq!(subset(5, Some(9), 0), vec![0, 1, 2, 3, 4]);
        let a = subset(1000, Some(10), 0);
        assert_eq!(a.len(), 10);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(a, subset(1000, Some(10), 0));
        assert_ne!(a, (0..10).collect::<Vec<_>>());
    }
}
