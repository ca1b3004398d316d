//! Every op, the eval preprocessing and the Default policy on a 500x375 photo.
//! Compare with torchvision-on-PIL: `python3 benches/augment_compare.py`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sslinv_augment::{Op, Policy, Preprocess};

/// (bench name, op name, parameters): the same list as benches/augment_compare.py.
const CASES: &[(&str, &str, &[f64])] = &[
    ("rotate", "rotate", &[30.0]),
    ("affine", "affine", &[10.0, 5.0, -3.0, 1.2, 15.0, -5.0]),
    (
        "resized_crop",
        "resized_crop",
        &[40.0, 60.0, 300.0, 280.0, 224.0],
    ),
    ("resize", "resize", &[256.0]),
    ("center_crop", "center_crop", &[224.0]),
    ("hflip", "hflip", &[]),
    ("vflip", "vflip", &[]),
    ("grayscale", "grayscale", &[]),
    ("brightness", "brightness", &[1.7]),
    ("contrast", "contrast", &[0.6]),
    ("saturation", "saturation", &[1.8]),
    ("hue", "hue", &[0.2]),
    ("blur", "blur", &[23.0, 2.0]),
    ("sharpness", "sharpness", &[3.0]),
    ("invert", "invert", &[]),
    ("equalize", "equalize", &[]),
    ("posterize", "posterize", &[3.0]),
    ("elastic", "elastic", &[1000.0, 30.0, 0.0]),
];

fn photo() -> image::RgbImage {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/photo_500x375.jpg");
    image::open(path).expect("bench photo").to_rgb8()
}

fn ops(c: &mut Criterion) {
    let img = photo();
    let mut g = c.benchmark_group("augment");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(800));
    for &(name, op, params) in CASES {
        let op = Op::parse(op, params).expect("bench op parses");
        g.bench_function(name, |b| b.iter(|| op.apply(black_box(&img)).unwrap()));
    }
    let prep = Preprocess::stats256();
    g.bench_function("preprocess_256_224", |b| {
        b.iter(|| prep.image(black_box(&img)))
    });
    let policy = Policy::parse("default").unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    g.bench_function("policy_default_224", |b| {
        b.iter(|| policy.sample(black_box(&img), 224, &mut rng))
    });
    let small = sslinv_augment::resize_exact(&img, 64, 64);
    g.bench_function("policy_default_64", |b| {
        b.iter(|| policy.sample(black_box(&small), 64, &mut rng))
    });
    g.finish();
}

criterion_group!(benches, ops);
criterion_main!(benches);
