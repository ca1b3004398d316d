//! Times ResNet-18 SGD training steps (forward in train mode, mean-square loss on the pooled
//! features, backward, SGD update) and prints one JSON line (read by benches/train_compare.py).
//!
//! `cargo run --release -p sslinv-encoders --example train_step -- WIDTH_MULT STEM SIZE BATCH STEPS`
//! e.g. `-- 0.25 cifar 32 64 5`; STEM is `cifar` or `imagenet`.

use candle_core::{Device, Tensor};

use sslinv_encoders::{Arch, ResNet, ResNetConfig, Stem};
use sslinv_kernels::{SgdStep, sgd_update};
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // SAFETY: no other thread exists yet.
    unsafe { sslinv_kernels::run_like_pretrain(|| timed_steps().map_err(|e| e.to_string())) }??;
    Ok(())
}

/// Parses the arguments, times the steps and prints the result line.
fn timed_steps() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, d: &str| args.get(i).cloned().unwrap_or_else(|| d.to_string());
    let width_mult: f64 = arg(0, "0.25").parse()?;
    let stem = match arg(1, "cifar").as_str() {
        "cifar" => Stem::Cifar,
        "imagenet" => Stem::ImageNet,
        other => return Err(format!("unknown stem {other:?}").into()),
    };
    let size: usize = arg(2, "32").parse()?;
    let batch: usize = arg(3, "64").parse()?;
    let steps: usize = arg(4, "5").parse()?;
    let config = ResNetConfig {
        arch: Arch::ResNet18,
        width_mult,
        stem,
    };
    let (model, varmap) = ResNet::trainable(&config, &Device::Cpu)?;
    let vars = varmap.all_vars();
    // Plain SGD (lr 0.01) as the PyTorch side of benches/train_compare.py, updated in place.
    let plain = SgdStep {
        lr: 0.01,
        momentum: 0.0,
        weight_decay: 0.0,
        scale: 1.0,
    };
    let x = Tensor::randn(0f32, 1f32, (batch, 3, size, size), &Device::Cpu)?;
    let mut times = Vec::with_capacity(steps);
    for step in 0..=steps {
        let start = Instant::now();
        let loss = model.forward_t(&x, true)?.sqr()?.mean_all()?;
        let grads = loss.backward()?;
        for var in &vars {
            if let Some(g) = grads.get(var.as_tensor()) {
                sgd_update(var, g, None, plain)?;
            }
        }
        if step > 0 {
            times.push(start.elapsed().as_secs_f64());
        }
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "{{\"seconds_per_step\": {median}, \"images_per_second\": {}}}",
        batch as f64 / median
    );
    Ok(())
}
