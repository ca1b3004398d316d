//! What the paper code's sweep quirks change: each transform's mean similarity and distance
//! under the corrected sweep and under `Protocol::PaperCode`, on the same images with the
//! same statistics, so only the sweep differs (docs/reproduction.md quotes its output).
//!
//! `cargo run --release -p sslinv-invariance --example protocol_effect -- MODEL IMAGES STATS
//! TRANSFORM[:K],...` e.g. `random:resnet18:seed=0 photos/ stats/ translation,scale:64`.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::Path;

use sslinv_augment::{Preprocess, Protocol, Sweep, Transform};
use sslinv_invariance::synthetic::{self, SyntheticOptions};

/// Every .png/.jpg under `dir`, sorted by path, decoded.
fn images(dir: &Path) -> Result<Vec<image::RgbImage>, Box<dyn std::error::Error>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "png" | "jpg" | "jpeg"))
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| Ok(image::open(p)?.to_rgb8()))
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, imgs, stats_dir, list] = &args[..] else {
        return Err("usage: protocol_effect MODEL IMAGES STATS TRANSFORM[:K],...".into());
    };
    let dev = candle_core::Device::Cpu;
    let encoder = sslinv_encoders::load_encoder(model, &dev)?;
    let prep = Preprocess::stats256();
    let sweep_images = images(Path::new(imgs))?;
    let stats_images = images(Path::new(stats_dir))?;
    let stats = synthetic::stats(encoder.as_ref(), &stats_images, &prep, 16, &dev, model)?;
    eprintln!(
        "{} sweep images, statistics of {} images (shrinkage {:.3})",
        sweep_images.len(),
        stats_images.len(),
        stats.shrinkage
    );
    let opts = SyntheticOptions {
        equivariance_rows: 0,
        ..SyntheticOptions::default()
    };
    println!(
        "| transform | k | corrected similarity | paper-code similarity | corrected distance | paper-code distance |"
    );
    println!("|---|---|---|---|---|---|");
    for item in list.split(',') {
        let (name, k) = match item.split_once(':') {
            Some((n, k)) => (n, Some(k.parse::<usize>()?)),
            None => (item, None),
        };
        let t: Transform = name.parse()?;
        let mut row = Vec::new();
        for p in [Protocol::Corrected, Protocol::PaperCode] {
            let sweep = Sweep::with_protocol(t, k, p);
            let r = synthetic::run(
                encoder.as_ref(),
                &sweep_images,
                &sweep,
                &stats,
                &opts,
                &dev,
                model,
            )?;
            row.push((sweep.len(), r.mean_similarity, r.mean_distance));
        }
        println!(
            "| {t} | {} / {} | {:.4} | {:.4} | {:.2} | {:.2} |",
            row[0].0, row[1].0, row[0].1, row[1].1, row[0].2, row[1].2
        );
    }
    Ok(())
}
