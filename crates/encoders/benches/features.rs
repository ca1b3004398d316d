//! Eval-mode feature extraction (BatchNorm folded) of ResNet-18/50 at 224x224.

mod common;

use candle_core::{Device, Tensor};
use criterion::{Criterion, criterion_group, criterion_main};
use sslinv_encoders::{Encoder, load_encoder};

fn features(c: &mut Criterion) {
    let mut group = common::slow_group(c, "features_224", 8);
    for (name, batch) in [("resnet18", 4), ("resnet50", 2)] {
        let encoder = load_encoder(&format!("random:{name}:seed=0"), &Device::Cpu).unwrap();
        let x = Tensor::randn(0f32, 1f32, (batch, 3, 224, 224), &Device::Cpu).unwrap();
        group.bench_function(format!("{name}_batch{batch}"), |b| {
            b.iter(|| encoder.features(&x).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, features);
criterion_main!(benches);
