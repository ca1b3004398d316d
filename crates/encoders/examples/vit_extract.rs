//! Times ViT feature extraction (CPU fast path) of a timm architecture with random weights on
//! random 224x224 batches; prints one JSON line with seconds per image and the process's peak
//! resident memory (used by benches/vit_compare.py).
//!
//! `cargo run --release -p sslinv-encoders --example vit_extract -- vit_small_patch16_224 16 3`

use candle_core::{Device, Tensor};
use sslinv_encoders::Encoder;
use sslinv_encoders::vit::{Readout, ViTConfig, ViTEncoder, random_vit};
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Peak resident set size of this process in MiB (Linux `VmHWM`), 0 elsewhere.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let arch = args.get(1).map_or("vit_small_patch16_224", String::as_str);
    let batch: usize = args.get(2).map_or(Ok(16), |s| s.parse())?;
    let reps: usize = args.get(3).map_or(Ok(3), |s| s.parse())?;
    let cfg = ViTConfig::timm(arch)?;
    let encoder = ViTEncoder::new(random_vit(&cfg, 0, &Device::Cpu)?, Readout::default())?;
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
        "{{\"arch\": \"{arch}\", \"batch\": {batch}, \"seconds_per_image\": {}, \"peak_rss_mib\": {:.0}}}",
        best / batch as f64,
        peak_rss_mib()
    );
    Ok(())
}
