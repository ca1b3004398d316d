//! synth3d generation speed: one image, the quick config and the demo config (the budget:
//! the demo data in under 30 s on 2 cores; run with `RAYON_NUM_THREADS=2`).

use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use sslinv_datasets::synth3d::{Latents, Synth3d, Synth3dConfig};
use std::hint::black_box;
use std::time::Duration;

fn render_one(c: &mut Criterion) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    let latents: Vec<Latents> = (0..Latents::CLASS_COUNT as i64)
        .map(|k| Latents::sample(k, &mut rng))
        .collect();
    let mut i = 0;
    c.bench_function("synth3d_render_64", |b| {
        b.iter(|| {
            i = (i + 1) % latents.len();
            black_box(Synth3d::render(&latents[i], 64).unwrap())
        })
    });
}

/// The fixed sphere scene `benches/synth3d_compare.py` renders in NumPy.
fn render_sphere(c: &mut Criterion) {
    let l = Latents::reference_scene(1);
    c.bench_function("synth3d_render_sphere_64", |b| {
        b.iter(|| black_box(Synth3d::render(&l, 64).unwrap()))
    });
}

fn generate(c: &mut Criterion) {
    let mut g = c.benchmark_group("synth3d_generate");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    let quick = Synth3dConfig::quick();
    g.bench_function("quick", |b| {
        b.iter(|| black_box(Synth3d::generate(&quick).unwrap()))
    });
    let demo = Synth3dConfig::demo();
    g.bench_function("demo", |b| {
        b.iter(|| black_box(Synth3d::generate(&demo).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, render_one, render_sphere, generate);
criterion_main!(benches);
