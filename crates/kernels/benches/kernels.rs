//! Criterion benches per kernel (custom CPU op vs candle composition), forward + backward.

use candle_core::{DType, Device, Tensor, Var};
use criterion::{Criterion, criterion_group, criterion_main};
use sslinv_kernels::{self as k, reference as r};
use std::time::Duration;

fn var(shape: &[usize]) -> Var {
    let t = Tensor::rand(-0.5f32, 0.5, shape, &Device::Cpu).expect("rand");
    Var::from_tensor(&t).expect("var")
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("kernels");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    let (x, w) = (var(&[32, 32, 32, 32]), var(&[32, 32, 3, 3]));
    g.bench_function("conv3x3_fwdbwd/sslinv", |b| {
        b.iter(|| {
            k::conv2d(x.as_tensor(), w.as_tensor(), 1, 1)
                .unwrap()
                .sum_all()
                .unwrap()
                .backward()
                .unwrap()
        })
    });
    g.bench_function("conv3x3_fwdbwd/candle", |b| {
        b.iter(|| {
            r::conv2d(x.as_tensor(), w.as_tensor(), 1, 1)
                .unwrap()
                .sum_all()
                .unwrap()
                .backward()
                .unwrap()
        })
    });
    let (gm, bt) = (var(&[32]), var(&[32]));
    let (rm, rv) = (
        Var::zeros(32, DType::F32, &Device::Cpu).unwrap(),
        Var::ones(32, DType::F32, &Device::Cpu).unwrap(),
    );
    g.bench_function("bn_relu_train_fwdbwd/sslinv", |b| {
        b.iter(|| {
            k::batch_norm_train(
                x.as_tensor(),
                gm.as_tensor(),
                bt.as_tensor(),
                &rm,
                &rv,
                0.1,
                1e-5,
                true,
            )
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap()
        })
    });
    g.bench_function("bn_relu_train_fwdbwd/candle", |b| {
        b.iter(|| {
            r::batch_norm_train(
                x.as_tensor(),
                gm.as_tensor(),
                bt.as_tensor(),
                &rm,
                &rv,
                0.1,
                1e-5,
                true,
            )
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap()
        })
    });
    g.bench_function("maxpool3s2_fwdbwd/sslinv", |b| {
        b.iter(|| {
            k::max_pool2d(x.as_tensor(), 3, 2, 1)
                .unwrap()
                .sum_all()
                .unwrap()
                .backward()
                .unwrap()
        })
    });
    g.bench_function("maxpool3s2_fwdbwd/candle", |b| {
        b.iter(|| {
            r::max_pool2d(x.as_tensor(), 3, 2, 1)
                .unwrap()
                .sum_all()
                .unwrap()
                .backward()
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(kernel_benches, benches);
criterion_main!(kernel_benches);
