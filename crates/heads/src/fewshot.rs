//! Few-shot evaluation as ssl-transfer's `few_shot.py`: N-way K-shot episodes with Q queries
//! per class, a prototypical classifier (class means of the support rows, squared Euclidean
//! distance), mean accuracy over the episodes with a 95 % interval.

use crate::data::{check_label_rows, rows_of};
use crate::error::{HeadsError, Result};
use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;
use std::time::Instant;

/// Episode shape and count.
#[derive(Debug, Clone)]
pub struct FewShotConfig {
    /// Classes per episode (N-way).
    pub ways: usize,
    /// Support rows per class (K-shot).
    pub shots: usize,
    /// Query rows per class.
    pub queries: usize,
    /// Number of episodes.
    pub episodes: usize,
    /// Seed of the episode draws.
    pub seed: u64,
}

impl Default for FewShotConfig {
    /// ssl-transfer's defaults: 5-way 5-shot, 15 queries, 600 episodes.
    fn default() -> Self {
        Self {
            ways: 5,
            shots: 5,
            queries: 15,
            episodes: 600,
            seed: 0,
        }
    }
}

/// One episode: for each of its classes, the support rows then the query rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    /// Per class, the rows whose mean is the prototype.
    pub support: Vec<Vec<usize>>,
    /// Per class, the rows to classify.
    pub query: Vec<Vec<usize>>,
}

/// Mean accuracy over the episodes and its 95 % interval.
#[derive(Debug, Clone, Serialize)]
pub struct FewShotResult {
    /// Mean episode accuracy (a fraction; ssl-transfer prints percent).
    pub test_score: f64,
    /// 1.96 * std / sqrt(episodes), with the population std as ssl-transfer.
    pub ci95: f64,
    /// Population standard deviation of the episode accuracies.
    pub std: f64,
    /// Classes per episode.
    pub ways: usize,
    /// Support rows per class.
    pub shots: usize,
    /// Query rows per class.
    pub queries: usize,
    /// Number of episodes.
    pub episodes: usize,
    /// Classes with at least shots + queries rows, the ones episodes draw from.
    pub classes_used: usize,
    /// Classes left out for having too few rows.
    pub classes_skipped: usize,
    /// Rows of the feature matrix.
    pub n: usize,
    /// Feature dimension.
    pub dim: usize,
    /// Seed of the episode draws.
    pub seed: u64,
    /// Accuracy of each episode (not written to JSON).
    #[serde(skip)]
    pub accuracies: Vec<f64>,
    /// Wall time.
    pub seconds: f64,
}

/// Draws `cfg.episodes` episodes from the labelled rows: `ways` classes uniformly without
/// replacement among those with at least shots + queries rows, then shots + queries rows of
/// each uniformly without replacement. Returns the episodes and the number of classes used.
pub fn sample_episodes(labels: &[i64], cfg: &FewShotConfig) -> Result<(Vec<Episode>, usize)> {
    if cfg.ways < 2 || cfg.shots == 0 || cfg.queries == 0 || cfg.episodes == 0 {
        return Err(HeadsError::Config(format!(
            "few-shot needs ways >= 2 and shots, queries, episodes >= 1 (got {}-way {}-shot, {} queries, {} episodes)",
            cfg.ways, cfg.shots, cfg.queries, cfg.episodes
        )));
    }
    let mut classes: Vec<i64> = labels.to_vec();
    classes.sort_unstable();
    classes.dedup();
    let per = cfg.shots + cfg.queries;
    let rows: Vec<Vec<usize>> = classes
        .iter()
        .map(|c| (0..labels.len()).filter(|&i| labels[i] == *c).collect())
        .filter(|r: &Vec<usize>| r.len() >= per)
        .collect();
    if rows.len() < cfg.ways {
        return Err(HeadsError::Config(format!(
            "{}-way {}-shot with {} queries needs {} classes of at least {per} rows; {} of the {} classes have that many",
            cfg.ways,
            cfg.shots,
            cfg.queries,
            cfg.ways,
            rows.len(),
            classes.len()
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let episodes = (0..cfg.episodes)
        .map(|_| {
            let chosen = sample(&mut rng, rows.len(), cfg.ways);
            let (mut support, mut query) = (Vec::new(), Vec::new());
            for c in chosen.iter() {
                let picked: Vec<usize> = sample(&mut rng, rows[c].len(), per)
                    .iter()
                    .map(|i| rows[c][i])
                    .collect();
                support.push(picked[..cfg.shots].to_vec());
                query.push(picked[cfg.shots..].to_vec());
            }
            Episode { support, query }
        })
        .collect();
    Ok((episodes, rows.len()))
}

/// Fraction of an episode's queries whose nearest prototype (squared Euclidean distance to
/// the support mean, in f64; the lower class on ties) is their own class.
pub fn episode_accuracy(x: &[f32], dim: usize, episode: &Episode) -> f64 {
    let protos: Vec<Vec<f64>> = episode
        .support
        .iter()
        .map(|rows| {
            let mut p = vec![0.0f64; dim];
            for &r in rows {
                p.iter_mut()
                    .zip(&x[r * dim..(r + 1) * dim])
                    .for_each(|(a, &v)| *a += v as f64);
            }
            p.iter_mut().for_each(|a| *a /= rows.len() as f64);
            p
        })
        .collect();
    let (mut right, mut total) = (0usize, 0usize);
    for (truth, rows) in episode.query.iter().enumerate() {
        for &r in rows {
            let q = &x[r * dim..(r + 1) * dim];
            let mut best = (f64::INFINITY, 0);
            for (c, p) in protos.iter().enumerate() {
                let d: f64 = p.iter().zip(q).map(|(&a, &v)| (v as f64 - a).powi(2)).sum();
                if d < best.0 {
                    best = (d, c);
                }
            }
            right += usize::from(best.1 == truth);
            total += 1;
        }
    }
    right as f64 / total.max(1) as f64
}

/// Scores given episodes (for replaying a reference's draws): mean, population std, ci95.
pub fn score_episodes(
    x: &[f32],
    dim: usize,
    episodes: &[Episode],
) -> Result<(Vec<f64>, f64, f64, f64)> {
    let n = rows_of(x, dim, "few-shot features")?;
    if episodes.is_empty() {
        return Err(HeadsError::Empty("no few-shot episodes".into()));
    }
    for (e, ep) in episodes.iter().enumerate() {
        if let Some(&r) = ep
            .support
            .iter()
            .chain(&ep.query)
            .flatten()
            .find(|&&r| r >= n)
        {
            return Err(HeadsError::Shape(format!(
                "episode {e} uses row {r} of a {n}-row feature matrix"
            )));
        }
        if ep.support.iter().any(Vec::is_empty) || ep.support.len() != ep.query.len() {
            return Err(HeadsError::Config(format!(
                "episode {e}: every class needs support rows and a query list"
            )));
        }
    }
    let acc: Vec<f64> = episodes
        .par_iter()
        .map(|ep| episode_accuracy(x, dim, ep))
        .collect();
    let k = acc.len() as f64;
    let mean = acc.iter().sum::<f64>() / k;
    let std = (acc.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / k).sqrt();
    let ci95 = 1.96 * std / k.sqrt();
    Ok((acc, mean, std, ci95))
}

/// ssl-transfer's few-shot protocol on one labelled feature matrix (row-major, `dim` columns).
pub fn fewshot(
    x: &[f32],
    labels: &[i64],
    dim: usize,
    cfg: &FewShotConfig,
) -> Result<FewShotResult> {
    let start = Instant::now();
    let n = rows_of(x, dim, "few-shot features")?;
    check_label_rows("few-shot labels", n, labels.len())?;
    let (episodes, classes_used) = sample_episodes(labels, cfg)?;
    let mut distinct = labels.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let (accuracies, mean, std, ci95) = score_episodes(x, dim, &episodes)?;
    Ok(FewShotResult {
        test_score: mean,
        ci95,
        std,
        ways: cfg.ways,
        shots: cfg.shots,
        queries: cfg.queries,
        episodes: cfg.episodes,
        classes_used,
        classes_skipped: distinct.len() - classes_used,
        n,
        dim,
        seed: cfg.seed,
        accuracies,
        seconds: start.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn episodes_are_seeded_disjoint_and_class_pure() {
        let labels: Vec<i64> = (0..120).map(|i| i % 6).collect();
        let cfg = FewShotConfig {
            ways: 3,
            shots: 2,
            queries: 4,
            episodes: 20,
            seed: 5,
        };
        let (a, used) = sample_episodes(&labels, &cfg).unwrap();
        assert_eq!(used, 6);
        assert_eq!(a, sample_episodes(&labels, &cfg).unwrap().0);
        assert_ne!(
            a,
            sample_episodes(
                &labels,
                &FewShotConfig {
                    seed: 6,
                    ..cfg.clone()
                }
            )
            .unwrap()
            .0
        );
        for ep in &a {
            for (s, q) in ep.support.iter().zip(&ep.query) {
                let mut all: Vec<usize> = s.iter().chain(q).copied().collect();
                assert!(all.iter().all(|&r| labels[r] == labels[all[0]]));
                all.sort_unstable();
                all.dedup();
                assert_eq!(all.len(), 6);
            }
        }
        let too_many = FewShotConfig { queries: 30, ..cfg };
        assert!(sample_episodes(&labels, &too_many).is_err());
    }

    #[test]
    fn separable_classes_score_one() {
        let labels: Vec<i64> = (0..60).map(|i| i % 3).collect();
        let x: Vec<f32> = labels
            .iter()
            .flat_map(|&c| [c as f32 * 10.0, 1.0])
            .collect();
        let r = fewshot(
            &x,
            &labels,
            2,
            &FewShotConfig {
                ways: 3,
                shots: 2,
                queries: 3,
                episodes: 10,
                seed: 0,
            },
        )
        .unwrap();
        assert_eq!((r.test_score, r.ci95), (1.0, 0.0));
    }
}
