//! Fusing cached features (the encoders crate's `FuseMode` and `FeatureCache`): combining three
//! N x D matrices and reading a cached feature file.
//! Compare with `python benches/fusion_compare.py` (numpy concatenate/sum, safetensors load).

use candle_core::{Device, Tensor};
use criterion::{Criterion, criterion_group, criterion_main};
use sslinv_encoders::{CacheKey, FeatureCache, Features, FuseMode};
use std::time::Duration;

const N: usize = 2000;
const D: usize = 2048;

fn matrix(seed: f32) -> Vec<f32> {
    (0..N * D)
        .map(|i| ((i as f32) * 0.37 + seed).sin())
        .collect()
}

fn bench(c: &mut Criterion) {
    let parts: Vec<Tensor> = (0..3)
        .map(|s| Tensor::from_vec(matrix(s as f32), (N, D), &Device::Cpu).unwrap())
        .collect();
    let mut g = c.benchmark_group("fusion");
    g.sample_size(10).measurement_time(Duration::from_secs(2));
    for mode in [FuseMode::Cat, FuseMode::Mean] {
        g.bench_function(format!("combine_{}_3x{N}x{D}", mode.name()), |b| {
            b.iter(|| mode.combine(&parts).unwrap())
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let cache = FeatureCache::under(dir.path());
    let key = CacheKey {
        model: "bench".into(),
        dataset: "bench".into(),
        split: "train".into(),
        preprocess: "none".into(),
    };
    let features = Features {
        data: matrix(0.0),
        n: N,
        dim: D,
    };
    cache.store(&key, &features).unwrap();
    g.bench_function(format!("cache_load_{N}x{D}"), |b| {
        b.iter(|| cache.load(&key).unwrap().unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
