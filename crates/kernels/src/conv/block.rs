//! A residual block in training mode, `relu(units(x) + shortcut(x))`, as one autograd node.
//!
//! The values are those of [`conv2d_batch_norm_train`] per unit and [`add_relu`], computed by
//! the same functions. candle's backward adds every gradient a node receives into a fresh
//! `zeros_like` (an allocation, a memset and a pass over the activation) on the driving thread
//! while the other threads wait: five such hand-overs per basic block (each unit's output, the
//! block input twice, the projection's output) become one, the block's own output. The
//! parameters reach the node through [`tie`], as candle's custom ops take three inputs.
//!
//! [`conv2d_batch_norm_train`]: super::conv2d_batch_norm_train
//! [`add_relu`]: crate::add_relu

use super::compute::forward_train;
use super::with_bn::fusable;
use super::{Geom, backward_tensors};
use crate::batch_norm::{self, BnParams, ChannelStats};
use crate::cpu::{self, Elem};
use crate::eltwise::{add_relu_values, sum_gradients, sum_gradients_through_relu};
use crate::error::{Result, shape_err};
use crate::tie::{Stash, tie};
use candle_core::{CpuStorage, CustomOp2, Device, Layout, Shape, Tensor};
use std::sync::{Arc, Mutex};

/// One convolution + BatchNorm unit of a residual block.
#[derive(Clone, Copy, Debug)]
pub struct ConvBnUnit<'a> {
    /// Convolution weight, (Co, C, kh, kw), no bias.
    pub weight: &'a Tensor,
    /// Convolution stride.
    pub stride: usize,
    /// Zero padding on every side.
    pub padding: usize,
    /// The BatchNorm after the convolution.
    pub bn: BnParams<'a>,
}

/// `relu(main(x) + shortcut(x))` in training mode, where `main` runs `units` in order (ReLU after
/// each but the last) and `shortcut` is `downsample` (no ReLU) or the identity; each unit is
/// `conv2d_batch_norm_train`. The same values, gradients and running-statistics updates as those
/// ops one by one, in one autograd node on CPU (f32/f64); elsewhere the ops one by one.
pub fn residual_block_train(
    x: &Tensor,
    units: &[ConvBnUnit<'_>],
    downsample: Option<ConvBnUnit<'_>>,
) -> Result<Tensor> {
    let op = "residual_block_train";
    if units.is_empty() {
        return Err(shape_err(op, "a block needs at least one unit"));
    }
    // Shapes first, so both paths reject the same arguments with the same message.
    let mut dims = x.dims().to_vec();
    let mut geoms = Vec::with_capacity(units.len());
    for u in units {
        let g = Geom::checked(&dims, u.weight.dims(), u.stride, u.padding)?;
        u.bn.check_channels(op, g.co)?;
        dims = g.out_shape().dims().to_vec();
        geoms.push(g);
    }
    let short = match &downsample {
        Some(d) => {
            let g = Geom::checked(x.dims(), d.weight.dims(), d.stride, d.padding)?;
            d.bn.check_channels(op, g.co)?;
            Some(g)
        }
        None => None,
    };
    let short_dims = short.map_or(x.dims().to_vec(), |g| g.out_shape().dims().to_vec());
    if short_dims != dims {
        return Err(shape_err(
            op,
            format!("main path gives {dims:?}, shortcut {short_dims:?}"),
        ));
    }
    let all: Vec<&ConvBnUnit> = units.iter().chain(downsample.as_ref()).collect();
    let on_cpu = all.iter().all(|u| fusable(x, u.weight, &u.bn));
    let enough = geoms.iter().chain(&short).all(|g| g.n * g.p() >= 2);
    if !(on_cpu && enough) {
        return unfused(x, units, downsample);
    }
    let fused = |u: &ConvBnUnit, g: Geom, relu: bool| -> Result<Unit> {
        Ok(Unit {
            w: u.weight.contiguous()?,
            gamma: u.bn.weight.contiguous()?,
            beta: u.bn.bias.contiguous()?,
            g,
            eps: u.bn.eps,
            relu,
            stats: Arc::new(Mutex::new(Vec::new())),
        })
    };
    let last = units.len() - 1;
    let main = (units.iter().zip(geoms).enumerate())
        .map(|(i, (u, g))| fused(u, g, i != last))
        .collect::<Result<Vec<_>>>()?;
    let proj = match (&downsample, short) {
        (Some(d), Some(g)) => Some(fused(d, g, false)?),
        _ => None,
    };
    let params: Vec<Tensor> = (main.iter().chain(&proj))
        .flat_map(|u| [u.w.clone(), u.gamma.clone(), u.beta.clone()])
        .collect();
    let stash = Stash::new(params.len());
    let tied = tie(&params, &stash)?;
    let block = Block {
        main,
        proj,
        saved: Mutex::new(None),
        stash,
    };
    let stats: Vec<_> = (block.main.iter().chain(&block.proj))
        .map(|u| (u.stats.clone(), u.g.co, u.g.n * u.g.p()))
        .collect();
    let y = x.contiguous()?.apply_op2(&tied, block)?;
    for (u, (s, c, m)) in all.iter().zip(stats) {
        batch_norm::update_running(&u.bn, &s, c, m)?;
    }
    Ok(y)
}

/// The block as separate ops (other devices and dtypes, or too few values for batch statistics).
fn unfused(
    x: &Tensor,
    units: &[ConvBnUnit<'_>],
    downsample: Option<ConvBnUnit<'_>>,
) -> Result<Tensor> {
    let mut y = x.clone();
    for (i, u) in units.iter().enumerate() {
        let relu = i + 1 != units.len();
        y = super::conv2d_batch_norm_train(&y, u.weight, u.stride, u.padding, u.bn, relu)?;
    }
    let short = match downsample {
        Some(d) => super::conv2d_batch_norm_train(x, d.weight, d.stride, d.padding, d.bn, false)?,
        None => x.clone(),
    };
    crate::add_relu(&y, &short)
}

/// One unit as the fused op runs it.
struct Unit {
    w: Tensor,
    gamma: Tensor,
    beta: Tensor,
    g: Geom,
    eps: f64,
    relu: bool,
    stats: Arc<Mutex<Vec<ChannelStats>>>,
}

impl Unit {
    /// Convolution output and BatchNorm(+ReLU) output of input `x`.
    fn forward<T: Elem>(&self, x: &[T]) -> candle_core::Result<(Tensor, Tensor)> {
        let (g, dev) = (&self.g, &Device::Cpu);
        let y = cpu::with_slice(&self.w, |w: &[T]| forward_train(g, x, w))?;
        let (gamma, beta) = (
            cpu::to_vec::<T>(&self.gamma)?,
            cpu::to_vec::<T>(&self.beta)?,
        );
        let shape = (g.co, g.p());
        let out =
            batch_norm::normalize(&y, &gamma, &beta, shape, self.eps, self.relu, &self.stats)?;
        Ok((
            Tensor::from_vec(y, g.out_shape(), dev)?,
            Tensor::from_vec(out, g.out_shape(), dev)?,
        ))
    }

    /// From the gradient `grad` of the ReLU that follows the unit (its own, or the block's whose
    /// output is `relu_out`), the input gradient (when `need_dx`), and the weight, scale and
    /// shift gradients put in `stash` from position `at`.
    fn backward(
        &self,
        (x, conv_out, relu_out): (&Tensor, &Tensor, &Tensor),
        grad: &Tensor,
        need_dx: bool,
        (stash, at): (&Stash, usize),
    ) -> candle_core::Result<Option<Tensor>> {
        // Masking by the block's ReLU inside the BatchNorm backward gives the values add_relu's
        // backward would hand on, without a pass that writes them out.
        let (dy, dgamma, dbeta) =
            batch_norm::backward(conv_out, &self.gamma, relu_out, grad, true, &self.stats)?;
        let (dx, dw, _) = backward_tensors(&self.g, x, &self.w, &dy, (need_dx, false))?;
        for (i, t) in [dw, dgamma, dbeta].into_iter().enumerate() {
            stash.put(at + i, t)?;
        }
        Ok(dx)
    }
}

/// Each unit's convolution and BatchNorm outputs, kept for the backward pass.
#[derive(Clone)]
struct Saved {
    main: Vec<(Tensor, Tensor)>,
    proj: Option<(Tensor, Tensor)>,
}

/// The fused op over (x, the tied parameters).
struct Block {
    main: Vec<Unit>,
    proj: Option<Unit>,
    saved: Mutex<Option<Saved>>,
    stash: Stash,
}

fn poisoned() -> candle_core::Error {
    candle_core::Error::Msg("residual_block_train: lock poisoned".into())
}

impl CustomOp2 for Block {
    fn name(&self) -> &'static str {
        "sslinv-residual-block-train"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        _: &CpuStorage,
        _: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        fn run<T: Elem>(op: &Block, x: &[T]) -> candle_core::Result<CpuStorage> {
            let mut main: Vec<(Tensor, Tensor)> = Vec::with_capacity(op.main.len());
            for u in &op.main {
                let step = match main.last() {
                    Some((_, prev)) => cpu::with_slice(prev, |p: &[T]| u.forward(p))??,
                    None => u.forward(x)?,
                };
                main.push(step);
            }
            let proj = op.proj.as_ref().map(|u| u.forward(x)).transpose()?;
            let (_, last) = main.last().expect("a block has a unit");
            let y = cpu::with_slice(last, |a: &[T]| match &proj {
                Some((_, short)) => cpu::with_slice(short, |b: &[T]| add_relu_values(a, b)),
                None => Ok(add_relu_values(a, x)),
            })??;
            *op.saved.lock().map_err(|_| poisoned())? = Some(Saved { main, proj });
            Ok(cpu::owned(y))
        }
        let out = cpu::for_float!(cpu::dtype(s1), "residual_block_train", |T| {
            run::<T>(self, cpu::slice(s1, l1)?)?
        });
        let dims = match self.main.last() {
            Some(u) => u.g.out_shape(),
            None => l1.shape().clone(),
        };
        Ok((out, dims))
    }

    fn bwd(
        &self,
        x: &Tensor,
        tied: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>)> {
        let saved = self.saved.lock().map_err(|_| poisoned())?.clone();
        let saved = saved
            .ok_or_else(|| candle_core::Error::Msg("residual_block_train: no forward".into()))?;
        // add_relu's backward hands the gradient masked by the block's output `res` to both
        // summands; the mask is applied where each uses it.
        let mut g = grad.clone();
        let mut dx_main = None;
        for (i, (u, (conv_out, _))) in self.main.iter().zip(&saved.main).enumerate().rev() {
            let input = if i == 0 { x } else { &saved.main[i - 1].1 };
            let relu_out = if i + 1 == self.main.len() {
                res
            } else {
                &saved.main[i].1
            };
            // Inner units' inputs are computed from the parameters, so they need gradients.
            let need_dx = i > 0 || x.track_op();
            let at = (&self.stash, 3 * i);
            let d = u.backward((input, conv_out, relu_out), &g, need_dx, at)?;
            match (i, d) {
                (0, d) => dx_main = d,
                (_, Some(d)) => g = d,
                (_, None) => candle_core::bail!("residual_block_train: no inner gradient"),
            }
        }
        // The projection's weights need their gradients even where the input needs none.
        let dproj = match (&self.proj, &saved.proj) {
            (Some(u), Some((conv_out, _))) => {
                let at = (&self.stash, 3 * self.main.len());
                u.backward((x, conv_out, res), grad, x.track_op(), at)?
            }
            _ => None,
        };
        let dx = match (dx_main, dproj, &self.proj) {
            (Some(dm), Some(dp), Some(_)) => Some(add_gradients(&dp, None, &dm)?),
            (Some(dm), _, None) => Some(add_gradients(grad, Some(res), &dm)?),
            _ => None,
        };
        let dtied = tied.track_op().then(|| tied.zeros_like()).transpose()?;
        Ok((dx, dtied))
    }
}

/// The block input's two gradients summed as candle sums a tensor's gradients: `a` (masked by
/// the ReLU output `relu_out` if given) and `b`.
fn add_gradients(a: &Tensor, relu_out: Option<&Tensor>, b: &Tensor) -> candle_core::Result<Tensor> {
    cpu::for_float!(a.dtype(), "residual_block_train", |T| {
        let sum = cpu::with_slice(a, |a: &[T]| {
            cpu::with_slice(b, |b: &[T]| match relu_out {
                None => Ok(sum_gradients(a, b)),
                Some(r) => cpu::with_slice(r, |r: &[T]| sum_gradients_through_relu(a, r, b)),
            })
        })???;
        Tensor::from_vec(sum, a.shape(), a.device())
    })
}
