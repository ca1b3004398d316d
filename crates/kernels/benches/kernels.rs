//! Criterion benches per kernel (custom CPU op vs candle composition), forward + backward.

use candle_core::{DType, Device, Tensor, Var};
use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use sslinv_kernels::{self as k, Result, reference as r};
use std::time::Duration;

fn var(shape: &[usize]) -> Var {
    let t = Tensor::rand(-0.5f32, 0.5, shape, &Device::Cpu).expect("rand");
    Var::from_tensor(&t).expect("var")
}

/// Times forward + backward of one kernel, ours (`k`) against the candle composition (`r`).
fn fwd_bwd(
    g: &mut BenchmarkGroup<WallTime>,
    name: &str,
    ours: impl Fn() -> Result<Tensor>,
    candle: impl Fn() -> Result<Tensor>,
) {
    fwd_bwd_pair(g, name, [("sslinv", &ours), ("candle", &candle)]);
}

/// Times forward + backward of two implementations of one computation, by label.
fn fwd_bwd_pair(
    g: &mut BenchmarkGroup<WallTime>,
    name: &str,
    impls: [(&str, &dyn Fn() -> Result<Tensor>); 2],
) {
    for (who, f) in impls {
        g.bench_function(format!("{name}_fwdbwd/{who}"), |b| {
            b.iter(|| f().unwrap().sum_all().unwrap().backward().unwrap())
        });
    }
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("kernels");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    let (x, w) = (var(&[32, 32, 32, 32]), var(&[32, 32, 3, 3]));
    let (x, w) = (x.as_tensor(), w.as_tensor());
    fwd_bwd(
        &mut g,
        "conv3x3",
        || k::conv2d(x, w, 1, 1),
        || r::conv2d(x, w, 1, 1),
    );
    // The forward pass alone, as training runs it (a variable's conv: Winograd F(2x2, 3x3)) and
    // as inference does (im2col GEMM), at the demo's first stage and at this group's shape.
    let (x16, w16) = (var(&[64, 16, 32, 32]), var(&[16, 16, 3, 3]));
    for (name, x, w) in [
        ("conv3x3_16ch_32px", x16.as_tensor(), w16.as_tensor()),
        ("conv3x3_32ch_32px", x, w),
    ] {
        let (xd, wd) = (x.detach(), w.detach());
        g.bench_function(format!("{name}_fwd/winograd_train"), |b| {
            b.iter(|| k::conv2d(x, w, 1, 1).unwrap())
        });
        g.bench_function(format!("{name}_fwd/im2col_inference"), |b| {
            b.iter(|| k::conv2d(&xd, &wd, 1, 1).unwrap())
        });
    }
    let (gm, bt) = (var(&[32]), var(&[32]));
    let (gm, bt) = (gm.as_tensor(), bt.as_tensor());
    let (rm, rv) = (
        Var::zeros(32, DType::F32, &Device::Cpu).unwrap(),
        Var::ones(32, DType::F32, &Device::Cpu).unwrap(),
    );
    let bn = k::BnParams {
        weight: gm,
        bias: bt,
        running_mean: &rm,
        running_var: &rv,
        momentum: 0.1,
        eps: 1e-5,
    };
    fwd_bwd(
        &mut g,
        "bn_relu_train",
        || k::batch_norm_train(x, bn, true),
        || r::batch_norm_train(x, bn, true),
    );
    fwd_bwd(
        &mut g,
        "maxpool3s2",
        || k::max_pool2d(x, 3, 2, 1),
        || r::max_pool2d(x, 3, 2, 1),
    );
    // A basic residual block (two 3x3 units, identity shortcut): one autograd node against its
    // ops one by one (the same values).
    let w2 = var(&[32, 32, 3, 3]);
    let units = [w, w2.as_tensor()].map(|weight| k::ConvBnUnit {
        weight,
        stride: 1,
        padding: 1,
        bn,
    });
    let fused = || k::residual_block_train(x, &units, None);
    let one_by_one = || {
        let y = k::conv2d_batch_norm_train(x, units[0].weight, 1, 1, bn, true)?;
        let y = k::conv2d_batch_norm_train(&y, units[1].weight, 1, 1, bn, false)?;
        k::add_relu(&y, x)
    };
    fwd_bwd_pair(
        &mut g,
        "basic_block_train",
        [("fused", &fused), ("units", &one_by_one)],
    );
    g.finish();
}

criterion_group!(kernel_benches, benches);
criterion_main!(kernel_benches);
