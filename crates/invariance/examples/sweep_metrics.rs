//! Scores a synthetic sweep from given features and times the metric computation.
//!
//! `cargo run --release -p sslinv-invariance --example sweep_metrics -- [DIM] [K] [IMAGES]`
//! prints the per-setting scores of random features (a sanity demo) and, as the last line, a
//! JSON timing record that `benches/invariance_compare.py` reads.

use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use sslinv_invariance::{FeatureStats, score_sweep};

fn gaussian(n: usize, rng: &mut ChaCha8Rng) -> Vec<f32> {
    let normal = Normal::new(0.0f32, 1.0).unwrap();
    (0..n).map(|_| normal.sample(rng).abs()).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let (dim, k, n) = (
        args.first().copied().unwrap_or(512),
        args.get(1).copied().unwrap_or(256),
        args.get(2).copied().unwrap_or(8),
    );
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let stats_rows = 2 * dim + 64;
    let stats_start = Instant::now();
    let stats =
        FeatureStats::from_features(&gaussian(stats_rows * dim, &mut rng), stats_rows, dim)?;
    let stats_seconds = stats_start.elapsed().as_secs_f64();
    let clean = gaussian(n * dim, &mut rng);
    // Views: the clean feature plus noise growing with the setting index.
    let noise = gaussian(n * k * dim, &mut rng);
    let mut views = Vec::with_capacity(n * k * dim);
    for i in 0..n {
        for j in 0..k {
            let scale = j as f32 / k as f32;
            for c in 0..dim {
                views.push(clean[i * dim + c] + scale * (noise[(i * k + j) * dim + c] - 0.8));
            }
        }
    }
    let reps = 5;
    let start = Instant::now();
    let mut scores = score_sweep(&stats, &clean, &views, n, k)?;
    for _ in 1..reps {
        scores = score_sweep(&stats, &clean, &views, n, k)?;
    }
    let seconds = start.elapsed().as_secs_f64() / reps as f64;
    for j in (0..k).step_by((k / 8).max(1)) {
        println!(
            "setting {j:4}: similarity {:.4}  distance {:.3}",
            scores.similarity[j], scores.distance[j]
        );
    }
    println!(
        "mean similarity {:.4}, mean distance {:.3}",
        scores.mean_similarity, scores.mean_distance
    );
    println!(
        "{{\"dim\":{dim},\"k\":{k},\"images\":{n},\"metric_seconds\":{seconds},\"stats_rows\":{stats_rows},\"stats_seconds\":{stats_seconds}}}"
    );
    Ok(())
}
