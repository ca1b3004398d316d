//! Exact cosine top-k by screening: similarities of the rows rounded to bf16 (AMX tile
//! products, about 8x the f32 rate) with a rigorous bound on their error select the training
//! rows that can be among a query's k nearest, and only those are scored in f32. The answer is
//! the f32 search's (ties aside); the f32 work is a few hundred rows per query instead of all.

use crate::bf16_tiles::{Layout, TILE_K, TILE_ROWS, Tiles};
use crate::neighbours::{Neighbours, TopK};
use rayon::prelude::*;

/// Queries per block (a multiple of 32).
const QUERY_BLOCK: usize = 128;
/// Training rows per block (a multiple of 32): the block's bf16 similarities are 512 KiB.
const TRAIN_BLOCK: usize = 1024;

/// What computes the bf16 tile products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Screen {
    /// AMX tiles (x86-64 Linux with AMX-BF16).
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    Amx,
    /// Plain Rust with the same rounding of the inputs: slow, for tests on any machine.
    #[cfg(test)]
    Portable,
}

impl Screen {
    /// The fast engine when this machine has one.
    pub(crate) fn fastest() -> Option<Screen> {
        #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
        if crate::amx::available() {
            return Some(Screen::Amx);
        }
        None
    }
}

/// The portable 32 x 32 tile product: f32 products of bf16 values (exact) summed in f32.
#[cfg(test)]
fn portable_32x32(a: &Tiles, ga: usize, b: &Tiles, gb: usize, c: &mut [f32], ldc: usize) {
    use crate::bf16_tiles::{TILE_LEN, from_bf16};
    for i in 0..32 {
        for j in 0..32 {
            let (ta, tb) = (a.group(2 * ga + i / 16), b.group(2 * gb + j / 16));
            let mut s = 0f32;
            for k in 0..a.chunks * TILE_K {
                let t = (k / crate::bf16_tiles::TILE_K) * TILE_LEN;
                let x = from_bf16(ta[t + Layout::Rows.at(i % 16, k % TILE_K)]);
                let y = from_bf16(tb[t + Layout::Pairs.at(j % 16, k % TILE_K)]);
                s += x * y;
            }
            c[i * ldc + j] = s;
        }
    }
}

/// f32 dot product with 16 fixed lanes: the same value whatever vector width runs it.
#[inline(always)]
fn dot_lanes(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 16];
    let (ca, cb) = (a.chunks_exact(16), b.chunks_exact(16));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..16 {
            acc[l] += x[l] * y[l];
        }
    }
    for (l, (x, y)) in ra.iter().zip(rb).enumerate() {
        acc[l] += x * y;
    }
    let mut w = 8;
    while w > 0 {
        for l in 0..w {
            acc[l] += acc[l + w];
        }
        w /= 2;
    }
    acc[0]
}

/// [`dot_lanes`] compiled for AVX-512 (every AMX CPU has it).
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
#[target_feature(enable = "avx512f")]
fn dot_avx512(a: &[f32], b: &[f32]) -> f32 {
    dot_lanes(a, b)
}

/// A started [`Screen`]: for AMX, the tiles configured on this thread.
enum Products {
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    Amx(crate::amx::TileSession),
    #[cfg(test)]
    Portable,
}

impl Screen {
    fn start(self) -> Products {
        match self {
            #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
            Screen::Amx => Products::Amx(crate::amx::TileSession::start().expect("AMX available")),
            #[cfg(test)]
            Screen::Portable => Products::Portable,
        }
    }
}

impl Products {
    fn product_32x32(&self, a: &Tiles, ga: usize, b: &Tiles, gb: usize, c: &mut [f32], ldc: usize) {
        match self {
            #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
            Products::Amx(tiles) => tiles.product_32x32(a, ga, b, gb, c, ldc),
            #[cfg(test)]
            Products::Portable => portable_32x32(a, ga, b, gb, c, ldc),
        }
    }

    fn dot(&self, a: &[f32], b: &[f32]) -> f32 {
        match self {
            #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
            // SAFETY: AMX CPUs have AVX-512F.
            Products::Amx(_) => unsafe { dot_avx512(a, b) },
            #[cfg(test)]
            Products::Portable => dot_lanes(a, b),
        }
    }
}

/// The `k` training rows most cosine-similar to each query, as [`crate::neighbours`]'s f32
/// search defines them (query rows normalised, dot products with the raw training rows times
/// `inv_train`), found by bf16 screening on `screen`. Inputs are checked by the caller.
pub(crate) fn screened_top_k(
    train: &[f32],
    inv_train: &[f32],
    queries: &[f32],
    dim: usize,
    k: usize,
    screen: Screen,
) -> Neighbours {
    let m = queries.len() / dim;
    let tiles = Tiles::pack(train, dim, inv_train, Layout::Pairs);
    let search = BlockSearch {
        train,
        inv_train,
        max_residual: tiles.residual.iter().fold(0f32, |x, &y| x.max(y)),
        max_rounded: tiles.rounded_norm.iter().fold(0f32, |x, &y| x.max(y)),
        tiles: &tiles,
        dim,
        k,
    };
    let mut sims = vec![0.0f32; m * k];
    let mut index = vec![0u32; m * k];
    sims.par_chunks_mut(QUERY_BLOCK * k)
        .zip(index.par_chunks_mut(QUERY_BLOCK * k))
        .zip(queries.par_chunks(QUERY_BLOCK * dim))
        .for_each(|((out_s, out_i), q)| {
            search.run(screen.start(), q, out_s, out_i);
        });
    Neighbours { k, sims, index }
}

/// The training side of a screened search.
struct BlockSearch<'a> {
    train: &'a [f32],
    inv_train: &'a [f32],
    tiles: &'a Tiles,
    /// The largest training-row rounding residual and rounded norm.
    max_residual: f32,
    max_rounded: f32,
    dim: usize,
    k: usize,
}

impl BlockSearch<'_> {
    /// Twice the bound on |bf16 similarity - f32 similarity| for a query with norm `a`,
    /// rounding residual `ea` and rounded norm `ar`. With b the training row, primes the bf16
    /// values and e the residuals: a.b - a'.b' = a.e_b + e_a.b', bounded by Cauchy-Schwarz;
    /// both the f32 sum and the tile accumulation add at most n 2^-24 times the norms' product.
    fn window(&self, a: f32, ea: f32, ar: f32) -> f32 {
        let (max_e, max_b) = (self.max_residual, self.max_rounded);
        let n = (self.tiles.chunks * TILE_K) as f32;
        let gamma = n * f32::EPSILON * 0.5 * 1.01;
        let b = a * max_e + ea * max_b + gamma * (a + ar * max_b) + 1e-6;
        2.0 * b * 1.001
    }

    /// Searches the queries `q` (row-major, raw), writing each one's k neighbours best first.
    fn run(&self, products: Products, q: &[f32], out_s: &mut [f32], out_i: &mut [u32]) {
        let (dim, k) = (self.dim, self.k);
        let qb = q.len() / dim;
        let n = self.train.len() / dim;
        let qn = crate::neighbours::normalised_rows(q, dim);
        let qt = Tiles::pack(&qn, dim, &vec![1.0; qb], Layout::Rows);
        let widths: Vec<f32> = (0..qb)
            .map(|i| {
                let row = &qn[i * dim..(i + 1) * dim];
                let a = row.iter().map(|&v| v as f64 * v as f64).sum::<f64>().sqrt();
                self.window(
                    (a * (1.0 + 1e-6)) as f32,
                    qt.residual[i],
                    qt.rounded_norm[i],
                )
            })
            .collect();
        let mut heap_s = vec![0f32; qb * k];
        let mut heap_i = vec![0u32; qb * k];
        let mut heaps: Vec<TopK> = heap_s
            .chunks_exact_mut(k)
            .zip(heap_i.chunks_exact_mut(k))
            .map(|(s, i)| TopK::new(s, i))
            .collect();
        let mut candidates: Vec<Vec<(f32, u32)>> = vec![Vec::new(); qb];
        let q_pairs = qb.div_ceil(2 * TILE_ROWS);
        let mut block = vec![0f32; q_pairs * 32 * TRAIN_BLOCK];
        for start in (0..n).step_by(TRAIN_BLOCK) {
            let tb = (n - start).min(TRAIN_BLOCK);
            for p in 0..tb.div_ceil(32) {
                for qp in 0..q_pairs {
                    let c = &mut block[qp * 32 * TRAIN_BLOCK + p * 32..];
                    products.product_32x32(&qt, qp, self.tiles, start / 32 + p, c, TRAIN_BLOCK);
                }
            }
            for (i, (heap, cands)) in heaps.iter_mut().zip(&mut candidates).enumerate() {
                let w = widths[i];
                let mut thr = heap.threshold();
                let mut cut = thr - w;
                for (j, &s) in block[i * TRAIN_BLOCK..i * TRAIN_BLOCK + tb]
                    .iter()
                    .enumerate()
                {
                    if s >= cut {
                        let r = (start + j) as u32;
                        cands.push((s, r));
                        if s > thr {
                            heap.push(s, r);
                            thr = heap.threshold();
                            cut = thr - w;
                        }
                    }
                }
                if cands.len() > 2 * k + 4096 {
                    cands.retain(|&(s, _)| s >= cut);
                }
            }
        }
        for (i, (heap, cands)) in heaps.iter().zip(&candidates).enumerate() {
            let cut = heap.threshold() - widths[i];
            let qrow = &qn[i * dim..(i + 1) * dim];
            let mut exact = TopK::new(
                &mut out_s[i * k..(i + 1) * k],
                &mut out_i[i * k..(i + 1) * k],
            );
            for &(s, r) in cands {
                if s >= cut {
                    let r_us = r as usize;
                    let row = &self.train[r_us * dim..(r_us + 1) * dim];
                    exact.push(products.dot(qrow, row) * self.inv_train[r_us], r);
                }
            }
            exact.finish();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neighbours::{f32_top_k, inverse_norms};
    use rand::{Rng, SeedableRng};

    /// ReLU'd class clusters with a dimension, row counts and k that fill no block evenly.
    fn clusters(n: usize, dim: usize, seed: u64) -> Vec<f32> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let means: Vec<f32> = (0..7 * dim).map(|_| rng.random::<f32>()).collect();
        (0..n)
            .flat_map(|i| {
                let c = i % 7;
                let m = means[c * dim..(c + 1) * dim].to_vec();
                m.into_iter()
                    .map(|v| (v + rng.random::<f32>() - 0.8).max(0.0))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Same neighbours with the same similarities, except where two rows' similarities are
    /// within f32 rounding of each other (then the order may differ).
    fn assert_same(a: &Neighbours, b: &Neighbours) {
        for (p, ((x, y), (i, j))) in a
            .sims
            .iter()
            .zip(&b.sims)
            .zip(a.index.iter().zip(&b.index))
            .enumerate()
        {
            assert!(
                (x - y).abs() < 2e-6,
                "position {p}: similarity {x} (row {i}) vs {y} (row {j})"
            );
            if i != j {
                let q = p / a.k;
                let other = b.of(q).1.iter().position(|r| r == i);
                assert!(
                    other.is_some_and(|o| (b.of(q).0[o] - x).abs() < 2e-6),
                    "position {p}: row {i} vs {j}"
                );
            }
        }
    }

    fn search(train: &[f32], q: &[f32], dim: usize, k: usize, screen: Screen) -> Neighbours {
        screened_top_k(train, &inverse_norms(train, dim), q, dim, k, screen)
    }

    #[test]
    fn portable_screening_finds_the_f32_neighbours() {
        let dim = 75;
        let train = clusters(1100, dim, 1);
        let q = clusters(150, dim, 2);
        for k in [1, 20, 200] {
            let f32 = f32_top_k(&train, &inverse_norms(&train, dim), &q, dim, k);
            assert_same(&search(&train, &q, dim, k, Screen::Portable), &f32);
        }
    }

    #[test]
    fn rows_closer_than_bf16_can_tell_apart_are_ranked_in_f32() {
        // Every training row is the query's direction plus a perturbation far below bf16's
        // resolution (2^-8 relative): bf16 similarities tie, the f32 ones do not.
        let dim = 64;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let base: Vec<f32> = (0..dim).map(|_| rng.random::<f32>() + 0.5).collect();
        let train: Vec<f32> = (0..300)
            .flat_map(|_| {
                base.iter()
                    .map(|&v| v + 1e-4 * rng.random::<f32>())
                    .collect::<Vec<_>>()
            })
            .collect();
        let q: Vec<f32> = base
            .iter()
            .map(|&v| v + 1e-3 * rng.random::<f32>())
            .collect();
        let f32 = f32_top_k(&train, &inverse_norms(&train, dim), &q, dim, 10);
        let screened = search(&train, &q, dim, 10, Screen::Portable);
        // The f32 product's own rounding (~1e-7) can swap such rows: compare as sets of
        // similarities, which must agree to f32 accuracy.
        for (x, y) in screened.sims.iter().zip(&f32.sims) {
            assert!((x - y).abs() < 1e-6, "{x} vs {y}");
        }
    }

    #[test]
    fn amx_screening_equals_the_portable_one() {
        let Some(screen) = Screen::fastest() else {
            eprintln!("no AMX on this machine: the AMX path is not tested here");
            return;
        };
        let dim = 300;
        let train = clusters(2000, dim, 4);
        let q = clusters(260, dim, 5);
        for k in [5, 64] {
            assert_same(
                &search(&train, &q, dim, k, screen),
                &search(&train, &q, dim, k, Screen::Portable),
            );
        }
    }
}
