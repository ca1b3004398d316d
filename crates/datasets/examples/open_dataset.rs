//! Open a dataset in its real layout, show what it holds and time decoding its images.
//!
//! `cargo run --release -p sslinv-datasets --example open_dataset -- NAME ROOT [SPLIT] [N]`
//! prints a summary, then one JSON line: `{"open_s", "decode_s", "images", "images_per_s"}` for
//! decoding the first N images (all by default) in parallel. benches/datasets_compare.py reads it.

use std::path::PathBuf;
use std::time::Instant;

use sslinv_datasets::{Split, open};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(name), Some(root)) = (args.first(), args.get(1)) else {
        eprintln!("usage: open_dataset NAME ROOT [SPLIT] [N]");
        std::process::exit(2);
    };
    let split: Split = args.get(2).map_or(Ok(Split::Train), |s| s.parse())?;
    let t0 = Instant::now();
    let ds = open(name, &PathBuf::from(root), split)?;
    let open_s = t0.elapsed().as_secs_f64();
    let n = args
        .get(3)
        .map_or(Ok(ds.len()), |s| s.parse::<usize>())?
        .min(ds.len());
    eprintln!(
        "{} {}: {} images, targets {:?}",
        ds.name(),
        ds.split(),
        ds.len(),
        ds.target_kind()
    );
    let indices: Vec<usize> = (0..n).collect();
    let t1 = Instant::now();
    let images = ds.images(&indices)?;
    let decode_s = t1.elapsed().as_secs_f64();
    let pixels: u64 = images
        .iter()
        .map(|i| i.width() as u64 * i.height() as u64)
        .sum();
    eprintln!("decoded {n} images ({pixels} pixels)");
    println!(
        "{{\"open_s\": {open_s:.6}, \"decode_s\": {decode_s:.6}, \"images\": {n}, \"images_per_s\": {:.1}}}",
        n as f64 / decode_s.max(1e-9)
    );
    Ok(())
}
