//! Criterion bench: whitening + per-pair metrics of a sweep, and feature statistics.

use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use sslinv_invariance::{FeatureStats, score_sweep};

fn gaussian(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let normal = Normal::new(0.0f32, 1.0).unwrap();
    (0..n).map(|_| normal.sample(&mut rng)).collect()
}

fn bench(c: &mut Criterion) {
    let (dim, k) = (512, 256);
    let rows = 1200;
    let feats = gaussian(rows * dim, 1);
    let stats = FeatureStats::from_features(&feats, rows, dim).unwrap();
    let clean = gaussian(dim, 2);
    let views = gaussian(k * dim, 3);
    let mut g = c.benchmark_group("invariance");
    g.sample_size(10)
        .measurement_time(std::time::Duration::from_secs(3));
    g.bench_function("sweep_metrics_512d_k256", |b| {
        b.iter(|| score_sweep(&stats, &clean, &views, 1, k).unwrap())
    });
    g.bench_function("feature_stats_1200x512", |b| {
        b.iter(|| FeatureStats::from_features(&feats, rows, dim).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
