//! Times each kernel (custom CPU op vs candle composition) on ResNet-sized inputs and prints one
//! line per workload: `name fast_ms reference_ms gflops_fast`. Run with
//! `cargo run --release -p sslinv-kernels --example kernel_timing [repeats]`.

use candle_core::{DType, Device, Result, Tensor, Var};
use sslinv_kernels::{self as k, reference as r};
use std::time::Instant;

fn rand(shape: &[usize], seed: u64) -> Result<Tensor> {
    let n: usize = shape.iter().product();
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let v: Vec<f32> = (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) - 0.5
        })
        .collect();
    Tensor::from_vec(v, shape, &Device::Cpu)
}

/// Median milliseconds of `reps` calls after one warm-up.
fn median_ms(reps: usize, mut f: impl FnMut() -> Result<()>) -> Result<f64> {
    f()?;
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let s = Instant::now();
            f().map(|_| s.elapsed().as_secs_f64() * 1e3)
        })
        .collect::<Result<_>>()?;
    t.sort_by(f64::total_cmp);
    Ok(t[t.len() / 2])
}

/// Median milliseconds of `f` then the backward of the sum of its output.
fn fwd_bwd_ms(reps: usize, f: impl Fn() -> sslinv_kernels::Result<Tensor>) -> Result<f64> {
    median_ms(reps, || f()?.sum_all()?.backward().map(|_| ()))
}

/// Forward then backward of `sum(f(x, w) * g)`.
fn train(x: &Var, w: &Var, f: &dyn Fn(&Tensor, &Tensor) -> Result<Tensor>) -> Result<()> {
    let y = f(x.as_tensor(), w.as_tensor())?;
    y.sum_all()?.backward()?;
    Ok(())
}

fn main() -> Result<()> {
    let reps: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    type Conv = fn(&Tensor, &Tensor, usize, usize) -> sslinv_kernels::Result<Tensor>;
    /// (name, input shape, weight shape, stride, padding)
    type Workload = (&'static str, [usize; 4], [usize; 4], usize, usize);
    #[rustfmt::skip]
    let convs: [Workload; 4] = [
        ("conv3x3_c64_32px_b64", [64, 64, 32, 32], [64, 64, 3, 3], 1, 1),
        ("conv3x3_c16_32px_b64", [64, 16, 32, 32], [16, 16, 3, 3], 1, 1),
        ("conv3x3_c64_56px_b16", [16, 64, 56, 56], [64, 64, 3, 3], 1, 1),
        ("conv1x1_c256_56px_b16", [16, 256, 56, 56], [64, 256, 1, 1], 1, 0),
    ];
    for (name, xs, ws, s, p) in convs {
        let x = Var::from_tensor(&rand(&xs, 1)?)?;
        let w = Var::from_tensor(&rand(&ws, 2)?)?;
        let oh = (xs[2] + 2 * p - ws[2]) / s + 1;
        let flops = 2.0 * (xs[0] * ws[0] * oh * oh * ws[1] * ws[2] * ws[3]) as f64;
        let run = |conv: Conv| -> Result<(f64, f64)> {
            let fwd = median_ms(reps, || {
                conv(x.as_tensor(), w.as_tensor(), s, p)
                    .map(|_| ())
                    .map_err(Into::into)
            })?;
            let f = move |a: &Tensor, b: &Tensor| -> Result<Tensor> { Ok(conv(a, b, s, p)?) };
            let both = median_ms(reps, || train(&x, &w, &f))?;
            Ok((fwd, both))
        };
        let (ff, fb) = run(k::conv2d)?;
        let (rf, rb) = run(r::conv2d)?;
        println!("{name}_fwd {ff:.3} {rf:.3} {:.1}", flops / ff / 1e6);
        println!(
            "{name}_fwdbwd {fb:.3} {rb:.3} {:.1}",
            3.0 * flops / fb / 1e6
        );
    }
    let x = Var::from_tensor(&rand(&[64, 64, 32, 32], 3)?)?;
    let g = Var::from_tensor(&(rand(&[64], 4)? + 1.0)?)?;
    let b = Var::from_tensor(&rand(&[64], 5)?)?;
    let stats = || -> Result<(Var, Var)> {
        Ok((
            Var::zeros(64, DType::F32, &Device::Cpu)?,
            Var::ones(64, DType::F32, &Device::Cpu)?,
        ))
    };
    type TrainBn = fn(&Tensor, k::BnParams<'_>, bool) -> sslinv_kernels::Result<Tensor>;
    let time_bn = |bn: TrainBn| -> Result<f64> {
        let (m, v) = stats()?;
        let params = k::BnParams {
            weight: g.as_tensor(),
            bias: b.as_tensor(),
            running_mean: &m,
            running_var: &v,
            momentum: 0.1,
            eps: 1e-5,
        };
        fwd_bwd_ms(reps, || bn(x.as_tensor(), params, true))
    };
    let (fast, slow) = (time_bn(k::batch_norm_train)?, time_bn(r::batch_norm_train)?);
    println!("bn_relu_train_c64_32px_b64_fwdbwd {fast:.3} {slow:.3} 0");
    let xp = Var::from_tensor(&rand(&[16, 64, 112, 112], 6)?)?;
    let fast = fwd_bwd_ms(reps, || k::max_pool2d(xp.as_tensor(), 3, 2, 1))?;
    let slow = fwd_bwd_ms(reps, || r::max_pool2d(xp.as_tensor(), 3, 2, 1))?;
    println!("maxpool3s2_c64_112px_b16_fwdbwd {fast:.3} {slow:.3} 0");
    let (a, c) = (rand(&[64, 64, 32, 32], 7)?, rand(&[64, 64, 32, 32], 8)?);
    let fast = median_ms(reps, || k::add_relu(&a, &c).map(|_| ()).map_err(Into::into))?;
    let slow = median_ms(reps, || r::add_relu(&a, &c).map(|_| ()).map_err(Into::into))?;
    println!("add_relu_c64_32px_b64_fwd {fast:.3} {slow:.3} 0");
    Ok(())
}
