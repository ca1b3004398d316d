//! Forward+backward time and GFLOP/s of every distinct convolution of a ResNet-18 training step
//! (issue 7's workloads), to see which layer shapes fall short of the GEMM ceiling. Each conv is
//! timed alone (input as a variable, so its input gradient is computed too): the times do not
//! add up to a training step.
//!
//! `cargo run --release -p sslinv-kernels --example resnet_layers -- [BASE_WIDTH] [cifar|imagenet] [SIZE] [BATCH] [train|eval]`
//! (`eval`: the folded conv + bias + ReLU forward that feature extraction runs). `ONLY=i` times
//! only the i-th line's conv (to profile one shape with `perf`), `REPS=n` takes the median of n
//! calls instead of 21.

use candle_core::{Device, Result, Tensor, Var};
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<()> {
    // SAFETY: no other thread exists yet. Timed as training runs: candle's own pool on one
    // non-spinning thread (its spinning thread took a core from the kernels: 3.9 vs 2.6 ms on the
    // 128-channel 4x4 conv at batch 64) and the rayon threads pinned.
    unsafe { sslinv_kernels::run_like_pretrain(layers) }.map_err(candle_core::Error::wrap)?
}

/// Times every distinct convolution and prints one line each.
fn layers() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, d: &str| args.get(i).cloned().unwrap_or_else(|| d.to_string());
    let w: usize = arg(0, "64").parse().map_err(candle_core::Error::wrap)?;
    let imagenet = arg(1, "imagenet") == "imagenet";
    let size: usize = arg(2, "32").parse().map_err(candle_core::Error::wrap)?;
    let n: usize = arg(3, "64").parse().map_err(candle_core::Error::wrap)?;
    let train = arg(4, "train") == "train";
    // (cin, cout, kernel, stride, input size, count in the network)
    let mut layers = Vec::new();
    let mut hw = size;
    if imagenet {
        layers.push((3, w, 7, 2, hw, 1));
        hw = hw.div_ceil(2).div_ceil(2);
    } else {
        layers.push((3, w, 3, 1, hw, 1));
    }
    let mut cin = w;
    for (i, mult) in [1, 2, 4, 8].into_iter().enumerate() {
        let c = w * mult;
        let s = if i == 0 { 1 } else { 2 };
        layers.push((cin, c, 3, s, hw, 1));
        if s != 1 || cin != c {
            layers.push((cin, c, 1, s, hw, 1));
        }
        hw = hw.div_ceil(s);
        layers.push((c, c, 3, 1, hw, 3));
        cin = c;
    }
    let only: Option<usize> = std::env::var("ONLY").ok().and_then(|v| v.parse().ok());
    for (li, (ci, co, k, s, hw, count)) in layers.into_iter().enumerate() {
        if only.is_some_and(|o| o != li) {
            continue;
        }
        let x = Var::from_tensor(&Tensor::randn(0f32, 1f32, (n, ci, hw, hw), &Device::Cpu)?)?;
        let wt = Var::from_tensor(&Tensor::randn(0f32, 0.1f32, (co, ci, k, k), &Device::Cpu)?)?;
        let bias = Tensor::zeros(co, candle_core::DType::F32, &Device::Cpu)?;
        let run = || -> Result<()> {
            if !train {
                let (xd, wd) = (x.as_tensor().detach(), wt.as_tensor().detach());
                sslinv_kernels::conv2d_bias(&xd, &wd, &bias, s, k / 2, true)
                    .map_err(candle_core::Error::wrap)?;
                return Ok(());
            }
            let y = sslinv_kernels::conv2d(x.as_tensor(), wt.as_tensor(), s, k / 2)
                .map_err(candle_core::Error::wrap)?;
            y.sum_all()?.backward()?;
            Ok(())
        };
        run()?;
        let reps: usize = std::env::var("REPS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(21)
            .max(1);
        let mut times: Vec<f64> = (0..reps)
            .map(|_| {
                let t = Instant::now();
                run().map(|_| t.elapsed().as_secs_f64())
            })
            .collect::<Result<_>>()?;
        times.sort_by(f64::total_cmp);
        let t = times[reps / 2];
        let oh = (hw + 2 * (k / 2) - k) / s + 1;
        let flops = if train { 3.0 } else { 1.0 } * 2.0 * (n * co * oh * oh * ci * k * k) as f64;
        println!(
            "conv {ci:4}->{co:4} k{k} s{s} {hw:3}px x{count}: {:7.2} ms  {:6.1} GFLOP/s",
            t * 1e3,
            flops / t / 1e9
        );
    }
    Ok(())
}
