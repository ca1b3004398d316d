//! The same inputs give bit-identical outputs and gradients on any number of threads, so a
//! seeded training run does not change with the machine's core count.

mod common;

use candle_core::{DType, Device, Result, Tensor, Var};
use common::{bn, tensor};
use sslinv_kernels as k;

/// Every value of `f`'s outputs as raw bits, computed in a pool of `threads` threads.
fn bits_on(threads: usize, f: &(dyn Fn() -> Result<Vec<Tensor>> + Sync)) -> Vec<Vec<u32>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a rayon pool");
    pool.install(|| {
        f().expect("kernels ran")
            .iter()
            .map(|t| {
                t.flatten_all()
                    .and_then(|t| t.to_vec1::<f32>())
                    .expect("f32 values")
                    .into_iter()
                    .map(f32::to_bits)
                    .collect()
            })
            .collect()
    })
}

/// Asserts `f` gives the same bits on 1, 2, 3 and 5 threads.
fn same_on_any_pool(what: &str, f: &(dyn Fn() -> Result<Vec<Tensor>> + Sync)) {
    let one = bits_on(1, f);
    for threads in [2, 3, 5] {
        assert!(
            bits_on(threads, f) == one,
            "{what}: results on {threads} threads differ from 1 thread"
        );
    }
}

/// Output and input/weight gradients of a conv + BN + ReLU + pooled loss, in f32.
fn conv_bn_step(shape: [usize; 4], co: usize, stride: usize, seed: u64) -> Result<Vec<Tensor>> {
    let x = Var::from_tensor(&tensor(seed, &shape, DType::F32)?)?;
    let w = Var::from_tensor(&tensor(seed + 1, &[co, shape[1], 3, 3], DType::F32)?)?;
    let gamma = Var::from_tensor(&Tensor::ones(co, DType::F32, &Device::Cpu)?)?;
    let beta = Var::from_tensor(&Tensor::zeros(co, DType::F32, &Device::Cpu)?)?;
    let rm = Var::zeros(co, DType::F32, &Device::Cpu)?;
    let rv = Var::ones(co, DType::F32, &Device::Cpu)?;
    let y = k::conv2d(x.as_tensor(), w.as_tensor(), stride, 1)?;
    let y = k::batch_norm_train(&y, bn(&gamma, &beta, (&rm, &rv)), true)?;
    let y = k::max_pool2d(&y, 3, 2, 1)?;
    let pooled = k::global_avg_pool(&y)?;
    let r = tensor(seed + 2, pooled.dims(), DType::F32)?;
    let grads = (pooled.clone() * r)?.sum_all()?.backward()?;
    let mut out = vec![pooled];
    for v in [&x, &w, &gamma, &beta] {
        out.push(grads.get(v.as_tensor()).expect("a gradient").clone());
    }
    out.extend([rm.as_tensor().clone(), rv.as_tensor().clone()]);
    Ok(out)
}

#[test]
fn conv_bn_pool_gradients_do_not_depend_on_the_thread_count() {
    // Large maps (few images per GEMM), the demo's small maps (many images per GEMM), a batch
    // smaller than the pool, and single chunks of 8 images whose copies and GEMMs spread over
    // the threads (MoCo v2's sub-batches of 8 on the last stages).
    for (shape, co, stride) in [
        ([6, 3, 32, 32], 8, 1),
        ([64, 16, 4, 4], 32, 1),
        ([40, 8, 8, 8], 16, 2),
        ([2, 4, 9, 9], 6, 1),
        ([8, 64, 8, 8], 64, 1),
        ([8, 64, 8, 8], 128, 2),
        ([8, 128, 4, 4], 128, 1),
    ] {
        same_on_any_pool(&format!("conv {shape:?} -> {co}"), &|| {
            conv_bn_step(shape, co, stride, 11)
        });
    }
}
