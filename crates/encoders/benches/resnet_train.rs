//! ResNet-18 SGD training steps on CPU through the sslinv-kernels ops (issue 7's workloads).

mod common;

use candle_core::{Device, Tensor};
use candle_nn::{Optimizer, SGD};
use criterion::{Criterion, criterion_group, criterion_main};
use sslinv_encoders::{Arch, ResNet, ResNetConfig, Stem};

fn train_step(c: &mut Criterion) {
    let mut group = common::slow_group(c, "resnet18_train_32px_b64", 6);
    for (name, width_mult, stem) in [
        ("width16_cifar", 0.25, Stem::Cifar),
        ("width64_imagenet", 1.0, Stem::ImageNet),
    ] {
        let config = ResNetConfig {
            arch: Arch::ResNet18,
            width_mult,
            stem,
        };
        let (model, varmap) = ResNet::trainable(&config, &Device::Cpu).unwrap();
        let mut sgd = SGD::new(varmap.all_vars(), 0.01).unwrap();
        let x = Tensor::randn(0f32, 1f32, (64, 3, 32, 32), &Device::Cpu).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| {
                let loss = model
                    .forward_t(&x, true)
                    .unwrap()
                    .sqr()
                    .unwrap()
                    .mean_all()
                    .unwrap();
                sgd.backward_step(&loss).unwrap();
            })
        });
    }
    group.finish();
}

criterion_group!(benches, train_step);
criterion_main!(benches);
