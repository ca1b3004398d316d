//! Cosine nearest neighbours by blocked matrix products: the k most similar training rows of
//! every query, in memory bounded by the block sizes (not the number of rows).

use crate::data::rows_of;
use crate::error::{HeadsError, Result};
use crate::screened::{Screen, screened_top_k};
use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use rayon::prelude::*;

/// Queries per similarity block. Fixed (not derived from the thread count) so that every
/// similarity is computed by the same product shape whatever the number of threads.
const QUERY_BLOCK: usize = 128;
/// Training rows per similarity block: 128 x 4096 similarities are 2 MiB per thread.
const TRAIN_BLOCK: usize = 4096;
/// Multiply-adds (train rows x queries x dim) from which bf16 screening pays for its packing.
const SCREEN_MIN_WORK: usize = 1 << 26;

/// The `k` most similar training rows of each query, most similar first.
#[derive(Debug, Clone)]
pub struct Neighbours {
    /// Neighbours per query.
    pub k: usize,
    /// Cosine similarities, row-major queries x k.
    pub sims: Vec<f32>,
    /// Training row indices, row-major queries x k.
    pub index: Vec<u32>,
}

impl Neighbours {
    /// Number of queries.
    pub fn queries(&self) -> usize {
        self.index.len() / self.k.max(1)
    }

    /// The similarities and training rows of query `q`'s neighbours.
    pub fn of(&self, q: usize) -> (&[f32], &[u32]) {
        let r = q * self.k..(q + 1) * self.k;
        (&self.sims[r.clone()], &self.index[r])
    }
}

/// 1 / max(||row||, 1e-12), PyTorch's `normalize` guard.
pub(crate) fn inverse_norms(x: &[f32], dim: usize) -> Vec<f32> {
    x.par_chunks_exact(dim)
        .map(|row| {
            let sq: f64 = row.iter().map(|&v| (v as f64) * (v as f64)).sum();
            (1.0 / sq.sqrt().max(1e-12)) as f32
        })
        .collect()
}

/// The rows of `x` divided by their norms (as [`inverse_norms`]).
pub(crate) fn normalised_rows(x: &[f32], dim: usize) -> Vec<f32> {
    let mut out = x.to_vec();
    for row in out.chunks_exact_mut(dim) {
        let sq: f64 = row.iter().map(|&v| (v as f64) * (v as f64)).sum();
        let inv = (1.0 / sq.sqrt().max(1e-12)) as f32;
        row.iter_mut().for_each(|v| *v *= inv);
    }
    out
}

/// A bounded min-heap of the best (similarity, row) pairs of one query; on equal similarity
/// the lower row wins, so results do not depend on block sizes or threads.
pub(crate) struct TopK<'a> {
    sims: &'a mut [f32],
    index: &'a mut [u32],
    len: usize,
}

/// Whether (sa, ia) ranks below (sb, ib): less similar, or as similar with a higher row.
#[inline]
fn worse(sa: f32, ia: u32, sb: f32, ib: u32) -> bool {
    sa < sb || (sa == sb && ia > ib)
}

impl<'a> TopK<'a> {
    /// An empty heap keeping as many pairs as the slices hold.
    pub(crate) fn new(sims: &'a mut [f32], index: &'a mut [u32]) -> Self {
        TopK {
            sims,
            index,
            len: 0,
        }
    }

    pub(crate) fn push(&mut self, s: f32, i: u32) {
        let k = self.sims.len();
        if self.len < k {
            let mut c = self.len;
            self.len += 1;
            while c > 0 {
                let p = (c - 1) / 2;
                if !worse(s, i, self.sims[p], self.index[p]) {
                    break;
                }
                self.set(c, self.at(p));
                c = p;
            }
            self.set(c, (s, i));
        } else if worse(self.sims[0], self.index[0], s, i) {
            self.sift_down_from_root(s, i);
        }
    }

    fn sift_down_from_root(&mut self, s: f32, i: u32) {
        let k = self.sims.len();
        let mut c = 0;
        loop {
            let l = 2 * c + 1;
            if l >= k {
                break;
            }
            let r = l + 1;
            let m = if r < k && worse(self.sims[r], self.index[r], self.sims[l], self.index[l]) {
                r
            } else {
                l
            };
            if !worse(self.sims[m], self.index[m], s, i) {
                break;
            }
            self.set(c, self.at(m));
            c = m;
        }
        self.set(c, (s, i));
    }

    /// The pair in slot `c` (the two slices are kept in step, so sifts move both).
    #[inline]
    fn at(&self, c: usize) -> (f32, u32) {
        (self.sims[c], self.index[c])
    }

    #[inline]
    fn set(&mut self, c: usize, (s, i): (f32, u32)) {
        self.sims[c] = s;
        self.index[c] = i;
    }

    /// The similarity a candidate must beat once the heap is full.
    pub(crate) fn threshold(&self) -> f32 {
        if self.len < self.sims.len() {
            f32::NEG_INFINITY
        } else {
            self.sims[0]
        }
    }

    /// Orders the kept pairs best first.
    pub(crate) fn finish(self) {
        let mut pairs: Vec<(f32, u32)> = self
            .sims
            .iter()
            .copied()
            .zip(self.index.iter().copied())
            .collect();
        pairs.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (j, (s, i)) in pairs.into_iter().enumerate() {
            self.sims[j] = s;
            self.index[j] = i;
        }
    }
}

/// The `k` training rows most cosine-similar to each query (rows L2-normalised as DINO's
/// `eval_knn.py`), best first, ties to the lower row. Both matrices are row-major with `dim`
/// columns; memory beyond the inputs and the answer is a few MiB per thread.
pub fn cosine_top_k(train: &[f32], queries: &[f32], dim: usize, k: usize) -> Result<Neighbours> {
    let n = rows_of(train, dim, "training features")?;
    let m = rows_of(queries, dim, "query features")?;
    if k == 0 || k > n {
        return Err(HeadsError::Config(format!(
            "k = {k} neighbours, but there are {n} training rows (need 1 <= k <= {n})"
        )));
    }
    if n > u32::MAX as usize {
        return Err(HeadsError::Shape(format!(
            "{n} training rows exceed u32 indices"
        )));
    }
    let inv_train = inverse_norms(train, dim);
    if let Some(screen) = Screen::fastest().filter(|_| n * m * dim >= SCREEN_MIN_WORK) {
        return Ok(screened_top_k(train, &inv_train, queries, dim, k, screen));
    }
    Ok(f32_top_k(train, &inv_train, queries, dim, k))
}

/// The f32 search: blocked products of normalised queries with the raw training rows.
pub(crate) fn f32_top_k(
    train: &[f32],
    inv_train: &[f32],
    queries: &[f32],
    dim: usize,
    k: usize,
) -> Neighbours {
    let m = queries.len() / dim;
    let mut sims = vec![0.0f32; m * k];
    let mut index = vec![0u32; m * k];
    sims.par_chunks_mut(QUERY_BLOCK * k)
        .zip(index.par_chunks_mut(QUERY_BLOCK * k))
        .zip(queries.par_chunks(QUERY_BLOCK * dim))
        .for_each_init(
            || vec![0.0f32; QUERY_BLOCK * TRAIN_BLOCK],
            |block, ((out_s, out_i), q)| {
                search_block(train, inv_train, q, dim, out_s, out_i, block);
            },
        );
    Neighbours { k, sims, index }
}

/// One block of queries against every training block, keeping each query's top k.
fn search_block(
    train: &[f32],
    inv_train: &[f32],
    q: &[f32],
    dim: usize,
    out_s: &mut [f32],
    out_i: &mut [u32],
    block: &mut [f32],
) {
    let qb = q.len() / dim;
    let k = out_s.len() / qb;
    let qn = normalised_rows(q, dim);
    let mut heaps: Vec<TopK> = out_s
        .chunks_exact_mut(k)
        .zip(out_i.chunks_exact_mut(k))
        .map(|(sims, index)| TopK::new(sims, index))
        .collect();
    let qm = MatRef::from_row_major_slice(&qn, qb, dim);
    for (b, t) in train.chunks(TRAIN_BLOCK * dim).enumerate() {
        let tb = t.len() / dim;
        let start = b * TRAIN_BLOCK;
        let dst = MatMut::from_row_major_slice_mut(&mut block[..qb * tb], qb, tb);
        let tm = MatRef::from_row_major_slice(t, tb, dim);
        matmul(dst, Accum::Replace, qm, tm.transpose(), 1.0, Par::Seq);
        let inv = &inv_train[start..start + tb];
        for (heap, row) in heaps.iter_mut().zip(block.chunks_exact(tb)) {
            let mut thr = heap.threshold();
            for (j, (&dot, &s)) in row.iter().zip(inv).enumerate() {
                let sim = dot * s;
                if sim > thr {
                    heap.push(sim, (start + j) as u32);
                    thr = heap.threshold();
                }
            }
        }
    }
    heaps.into_iter().for_each(TopK::finish);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_brute_force_with_ties_to_the_lower_row() {
        // Rows 1 and 3 are the same direction: equal similarity, row 1 must come first.
        let train = [1.0, 0.0, 0.0, 2.0, 0.5, 0.5, 0.0, 4.0, -1.0, 0.0];
        let q = [0.1, 1.0, 1.0, 0.0];
        let nb = cosine_top_k(&train, &q, 2, 3).unwrap();
        assert_eq!(nb.of(0).1, &[1, 3, 2]);
        assert_eq!(nb.of(1).1, &[0, 2, 1]);
        assert!((nb.of(1).0[1] - 0.5f32.sqrt()).abs() < 1e-6);
        assert!(cosine_top_k(&train, &q, 2, 6).is_err());
        assert!(cosine_top_k(&train, &q, 2, 0).is_err());
    }
}
