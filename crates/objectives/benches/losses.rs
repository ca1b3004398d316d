//! Loss forward + backward at the sizes of a small MoCo / SimCLR run.

use std::time::Duration;

use candle_core::{Device, Tensor, Var};
use criterion::{Criterion, criterion_group, criterion_main};
use sslinv_objectives::{barlow_twins_loss, info_nce, nt_xent};

fn randn(n: usize, d: usize) -> Var {
    Var::from_tensor(&Tensor::randn(0f32, 1.0, (n, d), &Device::Cpu).unwrap()).unwrap()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("losses");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    let (q, k, queue) = (randn(64, 128), randn(64, 128), randn(4096, 128));
    g.bench_function("info_nce_b64_k4096_d128_fwd_bwd", |b| {
        b.iter(|| {
            info_nce(q.as_tensor(), k.as_tensor(), queue.as_tensor(), 0.2)
                .unwrap()
                .loss
                .backward()
                .unwrap()
        })
    });
    g.bench_function("nt_xent_b64_d128_fwd_bwd", |b| {
        b.iter(|| {
            nt_xent(q.as_tensor(), k.as_tensor(), 0.1)
                .unwrap()
                .loss
                .backward()
                .unwrap()
        })
    });
    let (z1, z2) = (randn(64, 512), randn(64, 512));
    g.bench_function("barlow_b64_d512_fwd_bwd", |b| {
        b.iter(|| {
            barlow_twins_loss(z1.as_tensor(), z2.as_tensor(), 0.0051)
                .unwrap()
                .backward()
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
