//! Optimiser updates in place: SGD with momentum and weight decay, and the momentum (EMA) average
//! of a key / target network, each one parallel pass over a parameter.
//!
//! candle's tensor ops would take five passes and as many temporaries per parameter for the
//! same SGD step (scale, add, scale, add, set), each pass single-threaded.

use crate::cpu::{self, Elem};
use crate::eltwise::CHUNK;
use crate::error::{Result, shape_err};
use candle_core::{CpuStorage, InplaceOp2, InplaceOp3, Layout, Tensor, Var};
use rayon::prelude::*;
use std::sync::Mutex;

/// The hyper-parameters of one SGD update of one parameter.
#[derive(Clone, Copy, Debug)]
pub struct SgdStep {
    /// Learning rate.
    pub lr: f64,
    /// Momentum (0: plain SGD, no buffer).
    pub momentum: f64,
    /// L2 weight decay added to the gradient.
    pub weight_decay: f64,
    /// Factor on the decayed gradient (LARS trust ratio; 1 otherwise).
    pub scale: f64,
}

/// One SGD step of `param` in place, as `torch.optim.SGD` (no dampening, no Nesterov):
/// `d = scale (g + wd p)`, `b = m b + d` (`b = d` when `buf` is None), `p -= lr b`.
///
/// Returns the new momentum buffer (a fresh tensor; `buf` is left untouched), or None when
/// `momentum` is 0. On CPU f32/f64 this is one parallel pass reading `p`, `g`, `b` and writing
/// `p` and the new buffer; elsewhere it composes candle ops.
pub fn sgd_update(
    param: &Var,
    grad: &Tensor,
    buf: Option<&Tensor>,
    h: SgdStep,
) -> Result<Option<Tensor>> {
    if grad.dims() != param.dims() || buf.is_some_and(|b| b.dims() != param.dims()) {
        return Err(shape_err(
            "sgd_update",
            format!(
                "gradient {:?} or buffer for parameter {:?}",
                grad.dims(),
                param.dims()
            ),
        ));
    }
    let fast = cpu::fast(param)
        && param.is_contiguous()
        && grad.dtype() == param.dtype()
        && grad.device().is_cpu()
        && buf.is_none_or(|b| b.dtype() == param.dtype() && b.device().is_cpu());
    if !fast {
        return sgd_reference(param, grad, buf, h);
    }
    let grad = grad.contiguous()?;
    let op = SgdOp {
        h,
        out: Mutex::new(None),
    };
    match (h.momentum != 0.0, buf) {
        (true, Some(b)) => param.inplace_op3(&grad, &b.contiguous()?, &op)?,
        _ => param.inplace_op2(&grad, &op)?,
    }
    let out = op
        .out
        .into_inner()
        .map_err(|_| candle_core::Error::Msg("sgd_update: lock poisoned".into()))?;
    Ok(match out {
        Some(NewBuf::F32(v)) => Some(Tensor::from_vec(v, param.shape(), param.device())?),
        Some(NewBuf::F64(v)) => Some(Tensor::from_vec(v, param.shape(), param.device())?),
        None => None,
    })
}

/// [`sgd_update`] with candle ops (non-CPU devices, other dtypes).
fn sgd_reference(
    param: &Var,
    grad: &Tensor,
    buf: Option<&Tensor>,
    h: SgdStep,
) -> Result<Option<Tensor>> {
    let p = param.as_tensor().detach();
    let mut d = grad.detach();
    if h.weight_decay != 0.0 {
        d = (d + (&p * h.weight_decay)?)?;
    }
    if h.scale != 1.0 {
        d = (d * h.scale)?;
    }
    let b = match (h.momentum != 0.0, buf) {
        (false, _) => None,
        (true, Some(b)) => Some(((b * h.momentum)? + &d)?),
        (true, None) => Some(d.clone()),
    };
    let step = b.as_ref().unwrap_or(&d);
    param.set(&(p - (step * h.lr)?)?)?;
    Ok(b)
}

/// A new momentum buffer written by the update.
enum NewBuf {
    F32(Vec<f32>),
    F64(Vec<f64>),
}

/// The in-place SGD op on the parameter; inputs `(grad)` or `(grad, old buffer)`.
struct SgdOp {
    h: SgdStep,
    out: Mutex<Option<NewBuf>>,
}

impl SgdOp {
    fn run<T: Elem>(&self, p: &mut [T], g: &[T], old: Option<&[T]>) -> Option<Vec<T>> {
        let t = |v: f64| T::from_f64(v);
        let (lr, m, wd, s) = (
            t(self.h.lr),
            t(self.h.momentum),
            t(self.h.weight_decay),
            t(self.h.scale),
        );
        if self.h.momentum == 0.0 {
            p.par_chunks_mut(CHUNK)
                .zip(g.par_chunks(CHUNK))
                .for_each(|(p, g)| {
                    for (p, &g) in p.iter_mut().zip(g) {
                        *p -= lr * (s * (g + wd * *p));
                    }
                });
            return None;
        }
        let mut b = vec![T::from_f64(0.0); p.len()];
        // `b = m old + d` (`b = d` without an old buffer), then `p -= lr b`, per chunk.
        let update = |bc: &mut [T], pc: &mut [T], gc: &[T], oc: Option<&[T]>| {
            for (i, (b, p)) in bc.iter_mut().zip(pc.iter_mut()).enumerate() {
                let d = s * (gc[i] + wd * *p);
                *b = match oc {
                    Some(o) => m * o[i] + d,
                    None => d,
                };
                *p -= lr * *b;
            }
        };
        let chunks = b
            .par_chunks_mut(CHUNK)
            .zip(p.par_chunks_mut(CHUNK).zip(g.par_chunks(CHUNK)));
        match old {
            Some(o) => chunks
                .zip(o.par_chunks(CHUNK))
                .for_each(|((bc, (pc, gc)), oc)| update(bc, pc, gc, Some(oc))),
            None => chunks.for_each(|(bc, (pc, gc))| update(bc, pc, gc, None)),
        }
        Some(b)
    }

    fn apply(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        g: (&CpuStorage, &Layout),
        old: Option<(&CpuStorage, &Layout)>,
    ) -> candle_core::Result<()> {
        let Some((a, z)) = l1.contiguous_offsets() else {
            candle_core::bail!("sgd_update: parameter is not contiguous")
        };
        let new = match s1 {
            CpuStorage::F32(p) => {
                let old = old.map(|(s, l)| cpu::slice::<f32>(s, l)).transpose()?;
                self.run(&mut p[a..z], cpu::slice(g.0, g.1)?, old)
                    .map(NewBuf::F32)
            }
            CpuStorage::F64(p) => {
                let old = old.map(|(s, l)| cpu::slice::<f64>(s, l)).transpose()?;
                self.run(&mut p[a..z], cpu::slice(g.0, g.1)?, old)
                    .map(NewBuf::F64)
            }
            _ => candle_core::bail!("sgd_update: unsupported dtype"),
        };
        *self
            .out
            .lock()
            .map_err(|_| candle_core::Error::Msg("sgd_update: lock poisoned".into()))? = new;
        Ok(())
    }
}

impl InplaceOp2 for SgdOp {
    fn name(&self) -> &'static str {
        "sslinv-sgd"
    }

    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<()> {
        self.apply(s1, l1, (s2, l2), None)
    }
}

impl InplaceOp3 for SgdOp {
    fn name(&self) -> &'static str {
        "sslinv-sgd-momentum"
    }

    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> candle_core::Result<()> {
        self.apply(s1, l1, (s2, l2), Some((s3, l3)))
    }
}

/// `target = m target + (1 - m) online` in place (MoCo's key encoder, BYOL's target network).
pub fn ema_update(target: &Var, online: &Tensor, m: f64) -> Result<()> {
    if target.dims() != online.dims() {
        return Err(shape_err(
            "ema_update",
            format!("target {:?} vs online {:?}", target.dims(), online.dims()),
        ));
    }
    if !(cpu::fast(target)
        && target.is_contiguous()
        && online.dtype() == target.dtype()
        && online.device().is_cpu())
    {
        let next = ((target.as_tensor() * m)? + (online.detach() * (1.0 - m))?)?;
        target.set(&next)?;
        return Ok(());
    }
    target.inplace_op2(&online.contiguous()?, &Ema { m })?;
    Ok(())
}

struct Ema {
    m: f64,
}

impl Ema {
    fn run<T: Elem>(&self, t: &mut [T], o: &[T]) {
        let (m, k) = (T::from_f64(self.m), T::from_f64(1.0 - self.m));
        t.par_chunks_mut(CHUNK)
            .zip(o.par_chunks(CHUNK))
            .for_each(|(t, o)| {
                for (t, &o) in t.iter_mut().zip(o) {
                    *t = m * *t + k * o;
                }
            });
    }
}

impl InplaceOp2 for Ema {
    fn name(&self) -> &'static str {
        "sslinv-ema"
    }

    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<()> {
        let Some((a, z)) = l1.contiguous_offsets() else {
            candle_core::bail!("ema_update: target is not contiguous")
        };
        match s1 {
            CpuStorage::F32(t) => self.run(&mut t[a..z], cpu::slice(s2, l2)?),
            CpuStorage::F64(t) => self.run(&mut t[a..z], cpu::slice(s2, l2)?),
            _ => candle_core::bail!("ema_update: unsupported dtype"),
        }
        Ok(())
    }
}
