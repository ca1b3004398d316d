//! Probe speed: the paper's CV protocol (45 lambdas x 5 folds) for logistic regression and ridge.
//! Compare with benches/heads_compare.py, which times scikit-learn on the same data shapes.

use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use sslinv_heads::{Labels, Metric, ProbeConfig, Task, probe};

/// Gaussian class clusters: `n` rows of `d` features, `k` classes, class means 1 apart.
fn clusters(n: usize, d: usize, k: usize, seed: u64) -> (Vec<f32>, Vec<i64>) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let normal = Normal::new(0.0f32, 1.0).unwrap();
    let means: Vec<f32> = (0..k * d).map(|_| normal.sample(&mut rng) * 0.15).collect();
    let mut x = Vec::with_capacity(n * d);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let c = i % k;
        y.push(c as i64);
        x.extend((0..d).map(|j| means[c * d + j] + normal.sample(&mut rng)));
    }
    (x, y)
}

fn bench(c: &mut Criterion) {
    let (n, d, k) = (2000, 128, 10);
    let (x, y) = clusters(n + 500, d, k, 0);
    let (xtr, xte) = x.split_at(n * d);
    let (ytr, yte) = (
        Labels::Classes(y[..n].to_vec()),
        Labels::Classes(y[n..].to_vec()),
    );
    let mut g = c.benchmark_group("probe");
    g.sample_size(10);
    g.bench_function("logistic_cv_45x5_2000x128", |b| {
        b.iter(|| probe(xtr, &ytr, xte, &yte, d, &ProbeConfig::default()).unwrap())
    });
    let targets = |v: &[i64]| Labels::Targets {
        values: v.iter().map(|&c| c as f32).collect(),
        dim: 1,
    };
    let cfg = ProbeConfig {
        task: Task::Regression,
        metric: Metric::R2,
        ..Default::default()
    };
    let (rtr, rte) = (targets(&y[..n]), targets(&y[n..]));
    g.bench_function("ridge_cv_45x5_2000x128", |b| {
        b.iter(|| probe(xtr, &rtr, xte, &rte, d, &cfg).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
