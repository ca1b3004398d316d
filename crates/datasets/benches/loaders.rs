//! Decoding throughput of the loaders: an ImageFolder of JPEGs (parallel decode) and CIFAR-10
//! python batches (pickle parse + planar rows to RGB).

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use image::{Rgb, RgbImage};
use sslinv_datasets::{Split, open};

fn write_folder(dir: &Path, n: usize) {
    for i in 0..n {
        let img = RgbImage::from_fn(320, 240, |x, y| {
            Rgb([
                (x * 3 + i as u32) as u8,
                (y * 5) as u8,
                ((x ^ y) + i as u32) as u8,
            ])
        });
        let class = dir.join(format!("n{:02}", i % 4));
        std::fs::create_dir_all(&class).unwrap();
        img.save(class.join(format!("{i:04}.JPEG"))).unwrap();
    }
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    write_folder(&dir.path().join("val"), 32);
    let folder = open("imagenet", dir.path(), Split::Val).unwrap();
    let all: Vec<usize> = (0..folder.len()).collect();
    c.bench_function("image_folder_decode_32_jpeg_320x240", |b| {
        b.iter(|| folder.images(&all).unwrap())
    });

    let cifar = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    c.bench_function("cifar10_pickle_open_and_decode_train", |b| {
        b.iter(|| {
            let ds = open("cifar10", &cifar, Split::Train).unwrap();
            let idx: Vec<usize> = (0..ds.len()).collect();
            ds.images(&idx).unwrap()
        })
    });
}

criterion_group! {
    name = loaders;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = benches
}
criterion_main!(loaders);
