//! Times feature extraction of a model spec on random 224x224 batches and prints one JSON line
//! with seconds per image and the process's peak resident memory (used by
//! benches/encoders_compare.py and, with `random:VIT_ARCH` specs, benches/vit_compare.py).
//!
//! `cargo run --release -p sslinv-encoders --example extract -- random:resnet50:seed=0 8 3`
//! `cargo run --release -p sslinv-encoders --example extract -- random:vit_small_patch16_224 16 3`

use candle_core::{Device, Tensor};
use sslinv_encoders::{Encoder, load_encoder};
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let spec = args.get(1).map_or("random:resnet18:seed=0", String::as_str);
    let batch: usize = args.get(2).map_or(Ok(8), |s| s.parse())?;
    let reps: usize = args.get(3).map_or(Ok(3), |s| s.parse())?;
    let encoder = load_encoder(spec, &Device::Cpu)?;
    let x = Tensor::randn(0f32, 1f32, (batch, 3, 224, 224), &Device::Cpu)?;
    encoder.features(&x)?; // warm-up
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let start = Instant::now();
        let f = encoder.features(&x)?;
        assert_eq!(f.dims(), &[batch, encoder.dim()]);
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "{{\"spec\": \"{spec}\", \"batch\": {batch}, \"seconds_per_image\": {}, \"peak_rss_mib\": {:.0}}}",
        best / batch as f64,
        sslinv_testkit::peak_rss_mib()
    );
    Ok(())
}
