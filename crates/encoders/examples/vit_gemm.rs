//! candle's matmul against direct `gemm` calls on the ViT's GEMM shapes (batch of 16 images
//! at 224 px): the token GEMMs (qkv, proj, fc1, fc2) and the per-head attention products.
//! Prints GFLOP/s per shape and method, best of 5.
//!
//! `cargo run --release -p sslinv-encoders --example vit_gemm`

use candle_core::{Device, Tensor};
use gemm::Parallelism;
use sslinv_encoders::vit::cpu::{attention, gemm_rm, matmul_wt};
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn best(flops: f64, mut f: impl FnMut()) -> f64 {
    f();
    let mut t = f64::INFINITY;
    for _ in 0..5 {
        let s = Instant::now();
        f();
        t = t.min(s.elapsed().as_secs_f64());
    }
    flops / t / 1e9
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let threads = rayon::current_num_threads();
    let images = 16;
    let tokens = 197;
    let m = images * tokens;
    println!("{threads} threads, {m} token rows");
    for (model, d, heads) in [("ViT-S/16", 384, 6), ("ViT-B/16", 768, 12)] {
        for (name, k, n) in [
            ("qkv", d, 3 * d),
            ("proj", d, d),
            ("fc1", d, 4 * d),
            ("fc2", 4 * d, d),
        ] {
            let a = Tensor::randn(0f32, 1f32, (m, k), &Device::Cpu)?;
            let w = Tensor::randn(0f32, 1f32, (n, k), &Device::Cpu)?;
            let flops = 2.0 * (m * n * k) as f64;
            let candle = best(flops, || {
                a.matmul(&w.t().unwrap()).unwrap();
            });
            let av = a.flatten_all()?.to_vec1::<f32>()?;
            let wv = w.flatten_all()?.to_vec1::<f32>()?;
            let mut out = vec![0f32; m * n];
            // SAFETY: av is m x k, wv is n x k and out is m x n.
            let whole = best(flops, || unsafe {
                gemm_rm(
                    m,
                    n,
                    k,
                    &mut out,
                    &av,
                    &wv,
                    false,
                    Parallelism::Rayon(threads),
                )
            });
            let split = best(flops, || matmul_wt(&av, &wv, &mut out, k, n, false));
            println!(
                "{model} {name:5} {m}x{k}x{n}: candle {candle:6.1}  gemm(rayon) {whole:6.1}  gemm(row split) {split:6.1} GFLOP/s"
            );
        }
        let hd = d / heads;
        let flops = 4.0 * (images * heads * tokens * tokens * hd) as f64;
        let q = Tensor::randn(0f32, 1f32, (images * heads, tokens, hd), &Device::Cpu)?;
        let kt = Tensor::randn(0f32, 1f32, (images * heads, hd, tokens), &Device::Cpu)?;
        let v = Tensor::randn(0f32, 1f32, (images * heads, tokens, hd), &Device::Cpu)?;
        let candle = best(flops, || {
            let s = q.matmul(&kt).unwrap();
            candle_nn::ops::softmax_last_dim(&s)
                .unwrap()
                .matmul(&v)
                .unwrap();
        });
        let qkv = Tensor::randn(0f32, 1f32, (m, 3 * d), &Device::Cpu)?.flatten_all()?;
        let qkv = qkv.to_vec1::<f32>()?;
        let mut out = vec![0f32; m * d];
        let ours = best(flops, || attention(&qkv, &mut out, tokens, d, heads));
        println!(
            "{model} attention {}x({tokens}x{hd}): candle batched matmul+softmax {candle:6.1}  per-head tasks {ours:6.1} GFLOP/s",
            images * heads
        );
    }
    Ok(())
}
