//! ReLU and the residual add+ReLU, one parallel pass each.

use crate::cpu::{self, Elem};
use crate::error::{Result, shape_err};
use crate::sums::through_relu;
use candle_core::{CpuStorage, CustomOp1, CustomOp2, Layout, Shape, Tensor};
use rayon::prelude::*;

/// Elements per rayon task in element-wise loops (large enough to amortise scheduling).
pub(crate) const CHUNK: usize = 1 << 15;

/// `max(x, 0)`.
pub fn relu(x: &Tensor) -> Result<Tensor> {
    if cpu::fast(x) {
        return Ok(x.contiguous()?.apply_op1(Relu)?);
    }
    Ok(x.relu()?)
}

/// `max(a + b, 0)`: the end of a residual block.
pub fn add_relu(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.dims() != b.dims() {
        return Err(shape_err(
            "add_relu",
            format!("shapes differ: {:?} vs {:?}", a.dims(), b.dims()),
        ));
    }
    if cpu::fast(a) && a.dtype() == b.dtype() && b.device().is_cpu() {
        return Ok(a.contiguous()?.apply_op2(&b.contiguous()?, AddRelu)?);
    }
    Ok((a + b)?.relu()?)
}

/// `grad * (res > 0)`: the gradient through a ReLU given its output.
pub(crate) fn relu_mask(grad: &Tensor, res: &Tensor) -> candle_core::Result<Tensor> {
    fn run<T: Elem>(grad: &Tensor, res: &Tensor) -> candle_core::Result<Tensor> {
        // One parallel pass from both inputs: copying the gradient first ran on one thread.
        let out = cpu::with_slice(grad, |g: &[T]| {
            cpu::with_slice(res, |r: &[T]| map2(g, r, through_relu))
        })??;
        Tensor::from_vec(out, grad.shape(), grad.device())
    }
    match grad.dtype() {
        candle_core::DType::F32 => run::<f32>(grad, res),
        candle_core::DType::F64 => run::<f64>(grad, res),
        _ => grad * res.gt(0.0)?.to_dtype(grad.dtype())?,
    }
}

/// `max(a[i] + b[i], 0)`: [`add_relu`]'s values.
pub(crate) fn add_relu_values<T: Elem>(a: &[T], b: &[T]) -> Vec<T> {
    let zero = T::from_f64(0.0);
    map2(a, b, |a, b| {
        let s = a + b;
        if s > zero { s } else { zero }
    })
}

/// `(0 + a[i]) + b[i]`: two gradients of one tensor summed as candle's backward sums them (into a
/// `zeros_like`; the zero turns a -0 into +0), so the bits are those of the unfused graph.
pub(crate) fn sum_gradients<T: Elem>(a: &[T], b: &[T]) -> Vec<T> {
    let zero = T::from_f64(0.0);
    map2(a, b, |a, b| (zero + a) + b)
}

/// `(0 + g[i] through a ReLU with output r[i]) + b[i]`: [`sum_gradients`] of the masked `g` and
/// `b`, without writing the masked gradient out.
pub(crate) fn sum_gradients_through_relu<T: Elem>(g: &[T], r: &[T], b: &[T]) -> Vec<T> {
    let zero = T::from_f64(0.0);
    // SAFETY: the chunks below cover `out` and each writes its chunk in full.
    let mut out = unsafe { cpu::scratch(g.len()) };
    out.par_chunks_mut(CHUNK)
        .zip(
            g.par_chunks(CHUNK)
                .zip(r.par_chunks(CHUNK))
                .zip(b.par_chunks(CHUNK)),
        )
        .for_each(|(o, ((g, r), b))| {
            wide!({
                for (((o, &g), &r), &b) in o.iter_mut().zip(g).zip(r).zip(b) {
                    *o = (zero + through_relu(g, r)) + b;
                }
            })
        });
    out
}

/// `f(a[i], b[i])` for slices of equal length, in parallel chunks.
fn map2<T: Elem>(a: &[T], b: &[T], f: impl Fn(T, T) -> T + Sync) -> Vec<T> {
    // SAFETY: the chunks below cover `out` and each writes its chunk in full.
    let mut out = unsafe { cpu::scratch(a.len()) };
    out.par_chunks_mut(CHUNK)
        .zip(a.par_chunks(CHUNK).zip(b.par_chunks(CHUNK)))
        .for_each(|(o, (a, b))| {
            wide!({
                for ((o, &a), &b) in o.iter_mut().zip(a).zip(b) {
                    *o = f(a, b);
                }
            })
        });
    out
}

fn map1<T: Elem>(x: &[T], f: impl Fn(T) -> T + Sync) -> Vec<T> {
    // SAFETY: the chunks below cover `out` and each writes its chunk in full.
    let mut out = unsafe { cpu::scratch(x.len()) };
    out.par_chunks_mut(CHUNK)
        .zip(x.par_chunks(CHUNK))
        .for_each(|(o, i)| {
            wide!({
                for (o, &v) in o.iter_mut().zip(i) {
                    *o = f(v);
                }
            })
        });
    out
}

struct Relu;

impl CustomOp1 for Relu {
    fn name(&self) -> &'static str {
        "sslinv-relu"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        fn run<T: Elem>(s: &CpuStorage, l: &Layout) -> candle_core::Result<CpuStorage> {
            let zero = T::from_f64(0.0);
            Ok(T::to_cpu_storage_owned(map1(cpu::slice::<T>(s, l)?, |v| {
                if v > zero { v } else { zero }
            })))
        }
        let out = cpu::for_float!(cpu::dtype(s), "relu", |T| run::<T>(s, l)?);
        Ok((out, l.shape().clone()))
    }

    fn bwd(&self, _x: &Tensor, res: &Tensor, grad: &Tensor) -> candle_core::Result<Option<Tensor>> {
        Ok(Some(relu_mask(grad, res)?))
    }
}

struct AddRelu;

impl CustomOp2 for AddRelu {
    fn name(&self) -> &'static str {
        "sslinv-add-relu"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        fn run<T: Elem>(
            s1: &CpuStorage,
            l1: &Layout,
            s2: &CpuStorage,
            l2: &Layout,
        ) -> candle_core::Result<CpuStorage> {
            let (a, b) = (cpu::slice::<T>(s1, l1)?, cpu::slice::<T>(s2, l2)?);
            Ok(T::to_cpu_storage_owned(add_relu_values(a, b)))
        }
        let out = cpu::for_float!(cpu::dtype(s1), "add_relu", |T| run::<T>(s1, l1, s2, l2)?);
        Ok((out, l1.shape().clone()))
    }

    fn bwd(
        &self,
        _a: &Tensor,
        _b: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>)> {
        let g = relu_mask(grad, res)?;
        Ok((Some(g.clone()), Some(g)))
    }
}
