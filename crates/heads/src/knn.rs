//! DINO's weighted kNN classifier (`eval_knn.py`): L2-normalised features, cosine similarity,
//! the k nearest training rows vote for their class with weight exp(similarity / T).

use crate::data::{check_label_rows, rows_of};
use crate::error::{HeadsError, Result};
use crate::labels::ClassIndex;
use crate::neighbours::{Neighbours, cosine_top_k};
use crate::simd_state::clear_upper_simd_state;
use rayon::prelude::*;
use serde::Serialize;
use std::time::Instant;

/// DINO's default number of neighbours.
pub const DEFAULT_K: usize = 20;
/// DINO's default temperature.
pub const DEFAULT_TEMPERATURE: f64 = 0.07;
/// The neighbour counts DINO reports together (`--nb_knn 10 20 100 200`).
pub const DINO_KS: [usize; 4] = [10, 20, 100, 200];

/// How to run the kNN classifier.
#[derive(Debug, Clone)]
pub struct KnnConfig {
    /// Neighbour counts to score; the first one gives `test_score`.
    pub ks: Vec<usize>,
    /// Temperature T of the vote weights exp(similarity / T).
    pub temperature: f64,
}

impl Default for KnnConfig {
    fn default() -> Self {
        Self {
            ks: vec![DEFAULT_K],
            temperature: DEFAULT_TEMPERATURE,
        }
    }
}

/// Accuracy at one neighbour count.
#[derive(Debug, Clone, Serialize)]
pub struct KnnScore {
    /// Neighbours that voted.
    pub k: usize,
    /// Fraction of test rows whose top-voted class is right.
    pub top1: f64,
    /// Fraction whose class is among the five top-voted classes that got a vote.
    pub top5: f64,
}

/// What the kNN classifier found.
#[derive(Debug, Clone, Serialize)]
pub struct KnnResult {
    /// Top-1 accuracy at the first requested k.
    pub test_score: f64,
    /// The first requested k.
    pub k: usize,
    /// The temperature.
    pub temperature: f64,
    /// Scores at every requested k.
    pub scores: Vec<KnnScore>,
    /// Predicted class of every test row, per requested k (not written to JSON).
    #[serde(skip)]
    pub predictions: Vec<Vec<i64>>,
    /// Training rows.
    pub n_train: usize,
    /// Test rows.
    pub n_test: usize,
    /// Feature dimension.
    pub dim: usize,
    /// Distinct training classes.
    pub classes: usize,
    /// Wall time.
    pub seconds: f64,
}

/// Class totals of one query's first `k` neighbours, ranked: (class index, total) best first,
/// classes without a vote left out, equal totals to the lower class.
fn ranked_votes(
    sims: &[f32],
    rows: &[u32],
    k: usize,
    inv_t: f64,
    class_of: &[usize],
    votes: &mut [f64],
) -> Vec<(usize, f64)> {
    votes.iter_mut().for_each(|v| *v = 0.0);
    for (&s, &r) in sims[..k].iter().zip(&rows[..k]) {
        votes[class_of[r as usize]] += (s as f64 * inv_t).exp();
    }
    let mut ranked: Vec<(usize, f64)> = votes
        .iter()
        .copied()
        .enumerate()
        .filter(|&(_, v)| v > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked
}

/// Top-1 and top-5 predictions (as class indices) of every query at neighbour count `k`.
fn vote(
    nb: &Neighbours,
    k: usize,
    inv_t: f64,
    class_of: &[usize],
    classes: usize,
) -> Vec<Vec<usize>> {
    (0..nb.queries())
        .into_par_iter()
        .map_init(
            || {
                // The neighbour search ran faer's products on this thread.
                clear_upper_simd_state();
                vec![0.0f64; classes]
            },
            |votes, q| {
                let (sims, rows) = nb.of(q);
                ranked_votes(sims, rows, k, inv_t, class_of, votes)
                    .into_iter()
                    .take(5)
                    .map(|(c, _)| c)
                    .collect()
            },
        )
        .collect()
}

/// The predicted class of each query at each k of `cfg`, by DINO's weighted vote.
pub fn knn_predict(
    train_x: &[f32],
    train_y: &[i64],
    queries: &[f32],
    dim: usize,
    cfg: &KnnConfig,
) -> Result<Vec<Vec<i64>>> {
    Ok(predict_top5(train_x, train_y, queries, dim, cfg)?
        .0
        .into_iter()
        .map(|per_k| per_k.into_iter().map(|top| top[0]).collect())
        .collect())
}

/// Per k, per query, the up-to-five top-voted classes; and the number of training classes.
fn predict_top5(
    train_x: &[f32],
    train_y: &[i64],
    queries: &[f32],
    dim: usize,
    cfg: &KnnConfig,
) -> Result<(Vec<Vec<Vec<i64>>>, usize)> {
    let n = rows_of(train_x, dim, "training features")?;
    check_label_rows("training labels", n, train_y.len())?;
    if !(cfg.temperature.is_finite() && cfg.temperature > 0.0) {
        return Err(HeadsError::Config(format!(
            "temperature must be positive and finite, got {}",
            cfg.temperature
        )));
    }
    let kmax = *cfg
        .ks
        .iter()
        .max()
        .ok_or_else(|| HeadsError::Config("no neighbour count k given".into()))?;
    let index = ClassIndex::fit(train_y)?;
    let class_of: Vec<usize> = index.encode(train_y).into_iter().flatten().collect();
    let nb = cosine_top_k(train_x, queries, dim, kmax)?;
    let inv_t = 1.0 / cfg.temperature;
    let per_k = cfg
        .ks
        .iter()
        .map(|&k| {
            vote(&nb, k, inv_t, &class_of, index.classes.len())
                .into_iter()
                .map(|top| top.into_iter().map(|c| index.classes[c]).collect())
                .collect()
        })
        .collect();
    Ok((per_k, index.classes.len()))
}

/// DINO's kNN protocol: fit on the training rows, top-1 and top-5 accuracy on the test rows
/// at each k of `cfg` (one similarity search serves them all).
pub fn knn_classify(
    train_x: &[f32],
    train_y: &[i64],
    test_x: &[f32],
    test_y: &[i64],
    dim: usize,
    cfg: &KnnConfig,
) -> Result<KnnResult> {
    let start = Instant::now();
    let m = rows_of(test_x, dim, "test features")?;
    check_label_rows("test labels", m, test_y.len())?;
    let (top5, classes) = predict_top5(train_x, train_y, test_x, dim, cfg)?;
    let scores: Vec<KnnScore> = cfg
        .ks
        .iter()
        .zip(&top5)
        .map(|(&k, per_q)| {
            let (mut t1, mut t5) = (0usize, 0usize);
            for (top, y) in per_q.iter().zip(test_y) {
                t1 += usize::from(top.first() == Some(y));
                t5 += usize::from(top.contains(y));
            }
            KnnScore {
                k,
                top1: t1 as f64 / m as f64,
                top5: t5 as f64 / m as f64,
            }
        })
        .collect();
    let predictions = top5
        .into_iter()
        .map(|per_q| per_q.into_iter().map(|top| top[0]).collect())
        .collect();
    Ok(KnnResult {
        test_score: scores[0].top1,
        k: scores[0].k,
        temperature: cfg.temperature,
        scores,
        predictions,
        n_train: train_x.len() / dim,
        n_test: m,
        dim,
        classes,
        seconds: start.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_vote_beats_the_majority() {
        // Two close class-7 rows outvote three far class-3 rows at low temperature.
        let train = [1.0, 0.05, 1.0, -0.05, 0.3, 1.0, 0.2, 1.0, 0.25, 1.0];
        let y = [7, 7, 3, 3, 3];
        let q = [1.0, 0.0];
        let cfg = KnnConfig {
            ks: vec![5, 1],
            temperature: 0.07,
        };
        let r = knn_classify(&train, &y, &q, &[7], 2, &cfg).unwrap();
        assert_eq!(r.predictions, vec![vec![7], vec![7]]);
        let hot = KnnConfig {
            ks: vec![5],
            temperature: 1e3,
        };
        assert_eq!(knn_predict(&train, &y, &q, 2, &hot).unwrap(), vec![vec![3]]);
        assert!(knn_predict(&train, &y, &q, 2, &KnnConfig { ks: vec![], ..hot }).is_err());
    }
}
