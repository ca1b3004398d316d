//! Seeded splits: the paper's numpy permutations shipped as files, and ChaCha8 permutations otherwise.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// `np.random.seed(0); np.random.shuffle(np.arange(2000))`: the paper's LSP split order.
const LSP_2000: &str = include_str!("../data/splits/lsp_2000.txt");
/// The same recipe over 300W's 600 indoor + outdoor images.
const W300_600: &str = include_str!("../data/splits/300w_600.txt");

/// Which shipped permutation a dataset uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shipped {
    /// Leeds Sports Pose (2000 images).
    Lsp,
    /// 300W indoor + outdoor (600 images).
    W300,
}

fn parse(text: &str) -> Vec<usize> {
    text.lines().filter_map(|l| l.trim().parse().ok()).collect()
}

/// The paper's permutation of `0..n` when the dataset has its full size, else a ChaCha8 one seeded with 0.
///
/// Returns the permutation and whether it is the paper's.
pub fn paper_permutation(which: Shipped, n: usize) -> (Vec<usize>, bool) {
    let shipped = parse(match which {
        Shipped::Lsp => LSP_2000,
        Shipped::W300 => W300_600,
    });
    if shipped.len() == n {
        (shipped, true)
    } else {
        (seeded_permutation(n, 0), false)
    }
}

/// A permutation of `0..n` from ChaCha8 seeded with `seed`.
pub fn seeded_permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    idx
}

/// Splits a permutation at the paper's fractions: `int(n * f)` boundaries as numpy code does.
pub fn cut(perm: &[usize], fractions: &[f64]) -> Vec<Vec<usize>> {
    let n = perm.len();
    let mut out = Vec::new();
    let mut start = 0;
    let mut acc = 0.0;
    for (k, f) in fractions.iter().enumerate() {
        acc += f;
        let end = if k + 1 == fractions.len() {
            n
        } else {
            ((n as f64) * acc) as usize
        };
        out.push(perm[start..end.max(start)].to_vec());
        start = end.max(start);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_permutations_are_permutations() {
        for (w, n) in [(Shipped::Lsp, 2000), (Shipped::W300, 600)] {
            let (mut p, paper) = paper_permutation(w, n);
            assert!(paper);
            // numpy's seed-0 shuffle of arange(2000) starts 405, 1190, 1132.
            if n == 2000 {
                assert_eq!(&p[..3], &[405, 1190, 1132]);
            }
            p.sort();
            assert_eq!(p, (0..n).collect::<Vec<_>>());
        }
        let (p, paper) = paper_permutation(Shipped::Lsp, 5);
        assert!(!paper);
        assert_eq!(p, seeded_permutation(5, 0));
    }

    #[test]
    fn cut_matches_numpy_int_boundaries() {
        let perm: Vec<usize> = (0..10).collect();
        let parts = cut(&perm, &[0.3, 0.3, 0.4]);
        assert_eq!(
            parts.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![3, 3, 4]
        );
        let parts = cut(&perm[..5], &[0.6, 0.4]);
        assert_eq!(parts.iter().map(Vec::len).collect::<Vec<_>>(), vec![3, 2]);
    }
}
