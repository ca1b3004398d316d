//! Times MoCo v2 training steps on a ResNet-18 (base width 32 = width_mult 0.5, CIFAR stem,
//! 64 px, batch 32, queue 4096, shuffle-BN over 2 sub-batches) on random inputs and prints one
//! JSON line with images/s and the peak resident memory; `benches/objectives_compare.py` runs
//! it next to the same step in PyTorch.
//!
//! `cargo run --release -p sslinv-objectives --example moco_step -- --steps 6 --batch 32`

use std::time::Instant;

use candle_core::{Device, Tensor};
use sslinv_encoders::{Arch, ResNetConfig, Stem};
use sslinv_objectives::learner::Learner;
use sslinv_objectives::resnet::ResNetBackbone;
use sslinv_objectives::{Hyper, Objective, Sgd, backbone::Backbone};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (steps, batch, size, width) = (
        arg("--steps", 6),
        arg("--batch", 32),
        arg("--size", 64),
        arg("--width", 32),
    );
    let dev = Device::Cpu;
    let rcfg = ResNetConfig {
        arch: Arch::ResNet18,
        width_mult: width as f64 / 64.0,
        stem: Stem::Cifar,
    };
    let mut hyper = Hyper::published(Objective::MocoV2);
    hyper.queue_size = 4096;
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
        peak_rss_mib(),
        learner.backbone.dim()
    );
    Ok(())
}
