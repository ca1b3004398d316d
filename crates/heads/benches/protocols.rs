//! Speed of the community protocols: DINO's kNN (one search for k = 10, 20, 100, 200),
//! ssl-transfer's few-shot episodes and RankMe. benches/protocols_compare.py times the
//! issue's full sizes against PyTorch and NumPy in one run.

use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use sslinv_heads::{DINO_KS, FewShotConfig, KnnConfig, fewshot, knn_classify, rankme};

/// ReLU'd Gaussian class clusters: `n` rows of `d` features, `k` classes.
fn clusters(n: usize, d: usize, k: usize, seed: u64) -> (Vec<f32>, Vec<i64>) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let normal = Normal::new(0.0f32, 1.0).unwrap();
    let means: Vec<f32> = (0..k * d).map(|_| normal.sample(&mut rng) * 0.1).collect();
    let mut x = Vec::with_capacity(n * d);
    let y: Vec<i64> = (0..n).map(|i| (i % k) as i64).collect();
    for &c in &y {
        let c = c as usize;
        x.extend((0..d).map(|j| (means[c * d + j] + normal.sample(&mut rng)).max(0.0)));
    }
    (x, y)
}

fn bench(c: &mut Criterion) {
    let (n, m, d) = (10_000, 1_000, 512);
    let (x, y) = clusters(n + m, d, 50, 0);
    let (xtr, xte) = x.split_at(n * d);
    let (ytr, yte) = y.split_at(n);
    let mut g = c.benchmark_group("protocols");
    g.sample_size(10);
    let cfg = KnnConfig {
        ks: DINO_KS.to_vec(),
        ..Default::default()
    };
    g.bench_function("knn_4k_10000x512_1000q", |b| {
        b.iter(|| knn_classify(xtr, ytr, xte, yte, d, &cfg).unwrap())
    });
    g.bench_function("fewshot_600x5w5s15q_10000x512", |b| {
        b.iter(|| fewshot(xtr, ytr, d, &FewShotConfig::default()).unwrap())
    });
    g.bench_function("rankme_10000x512", |b| b.iter(|| rankme(xtr, d).unwrap()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
