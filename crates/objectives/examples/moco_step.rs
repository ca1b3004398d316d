//! Times MoCo v2 training steps on a ResNet-18 with the CIFAR stem (by default the demo's shape:
//! base width 16 = width_mult 0.25, 32 px, batch 64, queue 1024, shuffle-BN over 2 sub-batches)
//! on random inputs and prints one JSON line with images/s and the peak resident memory;
//! `benches/objectives_compare.py` runs it next to the same step in PyTorch.
//!
//! `cargo run --release -p sslinv-objectives --example moco_step -- --steps 6 --batch 64 --size 32 --width 16 --queue 1024`

use std::time::Instant;

use candle_core::{Device, Tensor};
use sslinv_encoders::{Arch, ResNetConfig, Stem};
use sslinv_objectives::learner::Learner;
use sslinv_objectives::resnet::ResNetBackbone;
use sslinv_objectives::{Hyper, Objective, Sgd, backbone::Backbone};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // SAFETY: no other thread exists yet.
    unsafe { sslinv_kernels::run_like_pretrain(|| timed_steps().map_err(|e| e.to_string())) }??;
    Ok(())
}

/// Builds the learner, times the steps and prints the result line.
fn timed_steps() -> Result<(), Box<dyn std::error::Error>> {
    let (steps, batch, size, width, queue) = (
        arg("--steps", 6),
        arg("--batch", 64),
        arg("--size", 32),
        arg("--width", 16),
        arg("--queue", 1024),
    );
    let dev = Device::Cpu;
    let rcfg = ResNetConfig {
        arch: Arch::ResNet18,
        width_mult: width as f64 / 64.0,
        stem: Stem::Cifar,
    };
    let mut hyper = Hyper::published(Objective::MocoV2);
    hyper.queue_size = queue;
    hyper.head_out = 128;
    let build = |seed| ResNetBackbone::from_config(&rcfg, seed, &dev);
    let mut learner = Learner::new(Objective::MocoV2, &hyper, 2, 0, &dev, &build)?;
    let vars = learner.trainable().into_iter().map(|(_, v)| v).collect();
    let mut opt = Sgd::new(vars, 0.03 * batch as f64 / 256.0, 0.9, 1e-4)?;
    let x1 = Tensor::randn(0f32, 1.0, (batch, 3, size, size), &dev)?;
    let x2 = Tensor::randn(0f32, 1.0, (batch, 3, size, size), &dev)?;
    let mut times = Vec::new();
    for step in 0..=steps as u64 {
        let t0 = Instant::now();
        let out = learner.step(&x1, &x2, step)?;
        let grads = out.loss.backward()?;
        opt.step(&grads)?;
        times.push(t0.elapsed().as_secs_f64());
    }
    // The first step warms up allocators and kernels, as on the PyTorch side.
    let per_step = times[1..].iter().sum::<f64>() / steps as f64;
    println!(
        "{{\"images_per_second\": {:.3}, \"peak_rss_mib\": {:.1}, \"dim\": {}}}",
        batch as f64 / per_step,
        sslinv_testkit::peak_rss_mib(),
        learner.backbone.dim()
    );
    Ok(())
}
