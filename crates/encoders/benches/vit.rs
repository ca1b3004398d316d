//! ViT feature extraction at 224x224 on the CPU fast path (random timm-initialised weights),
//! and candle's ops on the same model for comparison.

mod common;

use candle_core::{Device, Tensor};
use criterion::{Criterion, criterion_group, criterion_main};
use sslinv_encoders::Encoder;
use sslinv_encoders::vit::{Readout, ViTConfig, ViTEncoder, random_vit};

fn vit(c: &mut Criterion) {
    let mut group = common::slow_group(c, "vit_224", 8);
    for (arch, batch) in [("vit_small_patch16_224", 8), ("vit_base_patch16_224", 4)] {
        let cfg = ViTConfig::timm(arch).unwrap();
        let x = Tensor::randn(0f32, 1f32, (batch, 3, 224, 224), &Device::Cpu).unwrap();
        let model = || random_vit(&cfg, 0, &Device::Cpu).unwrap();
        let fast = ViTEncoder::new(model(), Readout::default()).unwrap();
        group.bench_function(format!("{arch}_batch{batch}"), |b| {
            b.iter(|| fast.features(&x).unwrap())
        });
        let candle = ViTEncoder::with_candle_ops(model(), Readout::default()).unwrap();
        group.bench_function(format!("{arch}_batch{batch}_candle_ops"), |b| {
            b.iter(|| candle.features(&x).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, vit);
criterion_main!(benches);
