//! The pretraining data path: JPEG decode + two Default-policy views at 224 px + normalised
//! tensors, streamed by the loader on 2 threads (one epoch of 32 images, batch 16).

use candle_core::Device;
use criterion::{Criterion, criterion_group, criterion_main};
use image::{Rgb, RgbImage};
use sslinv_augment::Policy;
use sslinv_datasets::stream::{FileList, Loader, Plan, StreamSource, ViewPairs};

fn write_folder(dir: &std::path::Path, n: usize) {
    for i in 0..n {
        let img = RgbImage::from_fn(500, 375, |x, y| {
            Rgb([
                (x * 3 + i as u32) as u8,
                (y * 5 + x / 7) as u8,
                ((x ^ y) + i as u32) as u8,
            ])
        });
        img.save(dir.join(format!("{i:04}.JPEG"))).unwrap();
    }
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    write_folder(dir.path(), 32);
    let files = FileList::walk(dir.path()).unwrap();
    let views = ViewPairs::new(Policy::default_policy(), 224);
    let plan = Plan::shuffled(files.len(), 16, 0);
    c.bench_function("stream_default_policy_224_2_threads_32_jpeg_500x375", |b| {
        b.iter(|| {
            Loader::new(&files, plan).threads(2).run(
                0..plan.steps_per_epoch(),
                |img, rng| views.item(img, rng),
                |pairs| views.collate(pairs, &Device::Cpu),
                |batches| {
                    batches
                        .map(|b| b.map(|_| ()))
                        .collect::<Result<Vec<()>, _>>()
                },
            )
        })
    });
    c.bench_function("decode_only_32_jpeg_500x375", |b| {
        b.iter(|| {
            (0..files.len())
                .map(|i| files.load(i).map(|im| im.width()))
                .collect::<Result<Vec<u32>, _>>()
        })
    });
}

criterion_group! {
    name = stream;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_millis(500));
    targets = benches
}
criterion_main!(stream);
