//! Ties any number of tensors to one autograd node whose custom op takes at most three inputs.
//!
//! [`tie`] returns a one-element zero tensor that depends on every tensor given. A fused op
//! takes it as an input, computes the tied tensors' gradients in its own backward pass and puts
//! them in the shared [`Stash`]; candle then visits the tie nodes (they come after the fused op
//! in its backward order, being its inputs) and each hands its tensors' gradients on from the
//! stash. No tensor is copied on the way: a `cat` of the weights would copy them every step.

use crate::cpu;
use candle_core::{CpuStorage, CustomOp3, Layout, Shape, Tensor};
use std::sync::{Arc, Mutex};

/// Gradients of tied tensors, by their position in [`tie`]'s list, filled by the fused op.
#[derive(Clone, Default)]
pub(crate) struct Stash(Arc<Mutex<Vec<Option<Tensor>>>>);

impl Stash {
    /// An empty stash for `n` tensors.
    pub(crate) fn new(n: usize) -> Self {
        Self(Arc::new(Mutex::new(vec![None; n])))
    }

    /// Stores the gradient of tensor `i`.
    pub(crate) fn put(&self, i: usize, grad: Tensor) -> candle_core::Result<()> {
        let mut slots = self.0.lock().map_err(|_| poisoned())?;
        match slots.get_mut(i) {
            Some(slot) => *slot = Some(grad),
            None => return Err(candle_core::Error::Msg(format!("tie: no tensor {i}"))),
        }
        Ok(())
    }

    /// Takes the gradient of tensor `i` out (each is handed on once).
    fn take(&self, i: usize) -> candle_core::Result<Tensor> {
        let mut slots = self.0.lock().map_err(|_| poisoned())?;
        slots.get_mut(i).and_then(Option::take).ok_or_else(|| {
            candle_core::Error::Msg(format!("tie: the fused op left no gradient for tensor {i}"))
        })
    }
}

fn poisoned() -> candle_core::Error {
    candle_core::Error::Msg("tie: lock poisoned".into())
}

/// A one-element zero of `tensors[0]`'s dtype and device that depends on all of `tensors`
/// (non-empty), whose backward hands on the gradients `stash` holds for them.
pub(crate) fn tie(tensors: &[Tensor], stash: &Stash) -> candle_core::Result<Tensor> {
    let first = tensors
        .first()
        .ok_or_else(|| candle_core::Error::Msg("tie: no tensors".into()))?;
    let zero = || Tensor::zeros(1, first.dtype(), first.device());
    // A chain of three-input nodes: the first holds three tensors, each next one the previous
    // node and two more.
    let mut link: Option<Tensor> = None;
    let mut rest = tensors.iter().enumerate().peekable();
    while rest.peek().is_some() {
        let mut args = Vec::with_capacity(3);
        let mut inputs = Vec::with_capacity(3);
        if let Some(prev) = link.take() {
            args.push(Arg::Link);
            inputs.push(prev);
        }
        while inputs.len() < 3 {
            match rest.next() {
                Some((i, t)) => {
                    args.push(Arg::Tied(i));
                    inputs.push(t.clone());
                }
                None => {
                    args.push(Arg::Pad);
                    inputs.push(zero()?);
                }
            }
        }
        let op = Tie {
            args: [args[0], args[1], args[2]],
            stash: stash.clone(),
        };
        link = Some(inputs[0].apply_op3(&inputs[1], &inputs[2], op)?);
    }
    link.ok_or_else(|| candle_core::Error::Msg("tie: no tensors".into()))
}

/// What one input of a tie node is.
#[derive(Clone, Copy, Debug)]
enum Arg {
    /// The previous tie node (its gradient is a zero).
    Link,
    /// Tensor `i` of the tied list.
    Tied(usize),
    /// A constant zero filling an unused input.
    Pad,
}

/// One node of [`tie`]'s chain.
struct Tie {
    args: [Arg; 3],
    stash: Stash,
}

impl Tie {
    fn grad(&self, arg: Arg, input: &Tensor) -> candle_core::Result<Option<Tensor>> {
        Ok(match arg {
            Arg::Link => Some(input.zeros_like()?),
            Arg::Tied(i) if input.track_op() => Some(self.stash.take(i)?),
            Arg::Tied(_) | Arg::Pad => None,
        })
    }
}

impl CustomOp3 for Tie {
    fn name(&self) -> &'static str {
        "sslinv-tie"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        _: &Layout,
        _: &CpuStorage,
        _: &Layout,
        _: &CpuStorage,
        _: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let out = cpu::for_float!(cpu::dtype(s1), "tie", |T| {
            cpu::owned::<T>(vec![candle_core::WithDType::from_f64(0.0)])
        });
        Ok((out, Shape::from(1)))
    }

    fn bwd(
        &self,
        a: &Tensor,
        b: &Tensor,
        c: &Tensor,
        _res: &Tensor,
        _grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        Ok((
            self.grad(self.args[0], a)?,
            self.grad(self.args[1], b)?,
            self.grad(self.args[2], c)?,
        ))
    }
}
