//! Time the pretraining data path: stream a folder of images through the loader (decode,
//! two Default-policy views, normalised tensors) on a given number of threads.
//!
//! `cargo run --release -p sslinv-datasets --example stream_views -- DIR [THREADS] [SIZE] [BATCH] [ROUNDS]`
//! (defaults 2, 224, 32, 2) prints one JSON line per round: `{"images", "seconds",
//! "images_per_s"}` for one epoch. benches/data_compare.py reads it.

use std::time::Instant;

use candle_core::Device;
use sslinv_augment::Policy;
use sslinv_datasets::stream::{FileList, Loader, Plan, StreamSource, ViewPairs};

fn arg<T: std::str::FromStr>(args: &[String], i: usize, default: T) -> T {
    args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: stream_views DIR [THREADS] [SIZE] [BATCH] [ROUNDS]");
        std::process::exit(2);
    };
    let (threads, size, batch, rounds) = (
        arg(&args, 1, 2usize),
        arg(&args, 2, 224u32),
        arg(&args, 3, 32usize),
        arg(&args, 4, 2usize),
    );
    let files = FileList::walk(dir.as_ref())?;
    let views = ViewPairs::new(Policy::default_policy(), size);
    for round in 0..rounds {
        let plan = Plan::shuffled(files.len(), batch, round as u64);
        let loader = Loader::new(&files, plan).threads(threads).depth(2);
        let t0 = Instant::now();
        let images = loader.run(
            0..plan.steps_per_epoch(),
            |img, rng| views.item(img, rng),
            |pairs| views.collate(pairs, &Device::Cpu),
            |batches| -> sslinv_datasets::Result<usize> {
                let mut n = 0;
                for b in batches {
                    n += b?.indices.len();
                }
                Ok(n)
            },
        )?;
        let seconds = t0.elapsed().as_secs_f64();
        println!(
            "{{\"images\": {images}, \"seconds\": {seconds:.4}, \"images_per_s\": {:.2}}}",
            images as f64 / seconds
        );
    }
    Ok(())
}
