//! Fused BatchNorm(+ReLU) for training (batch statistics, running-stat update), its forward and
//! hand-written backward together; evaluation mode is `batch_norm_eval.rs`.

use crate::cpu::{self, Elem};
use crate::error::{Result, shape_err};
use crate::reference;
use crate::sums;
use candle_core::{CpuStorage, CustomOp3, Layout, Shape, Tensor, Var};
use rayon::prelude::*;
use std::sync::{Arc, Mutex};

/// Checks `x` is NCHW and `bn`'s per-channel tensors have C elements; returns C.
pub(crate) fn channels(op: &'static str, x: &Tensor, bn: &BnParams<'_>) -> Result<usize> {
    let (_, c, _, _) = x
        .dims4()
        .map_err(|_| shape_err(op, format!("input must be NCHW, got {:?}", x.dims())))?;
    bn.check_channels(op, c)?;
    Ok(c)
}

/// One BatchNorm layer as the kernels read it: the affine parameters, the running statistics
/// (updated in training, used in evaluation) and PyTorch's two constants.
#[derive(Clone, Copy, Debug)]
pub struct BnParams<'a> {
    /// Scale (gamma), one per channel.
    pub weight: &'a Tensor,
    /// Shift (beta), one per channel.
    pub bias: &'a Tensor,
    /// Running mean, one per channel.
    pub running_mean: &'a Var,
    /// Running (unbiased) variance, one per channel.
    pub running_var: &'a Var,
    /// Weight of the batch statistic in the running update (`r = (1 - momentum) r + momentum s`).
    pub momentum: f64,
    /// Added to the variance before the square root.
    pub eps: f64,
}

impl BnParams<'_> {
    /// Rejects, naming `op`, per-channel tensors that do not have `c` entries.
    pub(crate) fn check_channels(&self, op: &'static str, c: usize) -> Result<()> {
        let per_channel = [
            self.weight,
            self.bias,
            self.running_mean.as_tensor(),
            self.running_var.as_tensor(),
        ];
        match per_channel.iter().find(|t| t.dims() != [c]) {
            Some(t) => Err(shape_err(
                op,
                format!(
                    "per-channel tensor has shape {:?}, expected [{c}]",
                    t.dims()
                ),
            )),
            None => Ok(()),
        }
    }

    /// Per-channel `(scale, shift)` of eval mode from the running statistics. A candle expression,
    /// so weight and bias get gradients.
    pub(crate) fn scale_shift(&self) -> Result<(Tensor, Tensor)> {
        let scale = (self.weight / (self.running_var.as_tensor() + self.eps)?.sqrt()?)?;
        let shift = (self.bias - (self.running_mean.as_tensor() * &scale)?)?;
        Ok((scale, shift))
    }
}

/// Training-mode BatchNorm over (N, H, W) per channel, then ReLU if `relu`; updates the running
/// statistics as PyTorch (`r = (1 - momentum) r + momentum s`, unbiased variance for `running_var`).
pub fn batch_norm_train(x: &Tensor, bn: BnParams<'_>, relu: bool) -> Result<Tensor> {
    let c = channels("batch_norm_train", x, &bn)?;
    let (n, _, h, w) = x.dims4()?;
    let m = n * h * w;
    if m < 2 {
        return Err(shape_err(
            "batch_norm_train",
            "needs more than one value per channel",
        ));
    }
    let BnParams { weight, bias, .. } = bn;
    if !(cpu::fast(x)
        && weight.device().is_cpu()
        && weight.dtype() == x.dtype()
        && bias.dtype() == x.dtype())
    {
        return reference::batch_norm_train(x, bn, relu);
    }
    let stats = Arc::new(Mutex::new(Vec::new()));
    let op = BnTrain {
        eps: bn.eps,
        relu,
        stats: stats.clone(),
    };
    let y = x
        .contiguous()?
        .apply_op3(&weight.contiguous()?, &bias.contiguous()?, op)?;
    update_running(&bn, &stats, c, m)?;
    Ok(y)
}

/// Moves the running statistics towards a forward pass's batch statistics `stats` (`m` values
/// per channel), as PyTorch: unbiased variance for `running_var`.
pub(crate) fn update_running(
    bn: &BnParams<'_>,
    stats: &Mutex<Vec<ChannelStats>>,
    c: usize,
    m: usize,
) -> Result<()> {
    let (mean, var): (Vec<f64>, Vec<f64>) = stats
        .lock()
        .map_err(|_| shape_err("batch_norm_train", "statistics lock poisoned"))?
        .iter()
        .map(|s: &ChannelStats| (s.mean, s.var))
        .unzip();
    debug_assert_eq!(mean.len(), c);
    let unbias = m as f64 / (m as f64 - 1.0);
    update(bn.running_mean, &mean, |v| v, bn.momentum)?;
    update(bn.running_var, &var, |v| v * unbias, bn.momentum)?;
    Ok(())
}

/// `r = (1 - momentum) r + momentum f(s)` for one running statistic.
fn update(r: &Var, s: &[f64], f: impl Fn(f64) -> f64, momentum: f64) -> Result<()> {
    let old = r
        .as_tensor()
        .to_dtype(candle_core::DType::F64)?
        .to_vec1::<f64>()?;
    let new: Vec<f64> = old
        .iter()
        .zip(s)
        .map(|(&o, &v)| (1.0 - momentum) * o + momentum * f(v))
        .collect();
    let t = Tensor::from_vec(new, s.len(), r.device())?.to_dtype(r.dtype())?;
    r.set(&t)?;
    Ok(())
}

/// Per-channel batch statistics kept for the backward pass and the running-stat update.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ChannelStats {
    mean: f64,
    /// Biased (population) variance.
    var: f64,
    inv_std: f64,
}

/// Mean and biased variance of every channel (two passes in f64 for accuracy).
fn channel_stats<T: Elem>(x: &[T], c: usize, hw: usize, eps: f64) -> Vec<ChannelStats> {
    let n = x.len() / (c * hw);
    let m = (n * hw) as f64;
    (0..c)
        .into_par_iter()
        .map(|ch| {
            let planes = || (0..n).map(move |i| &x[(i * c + ch) * hw..][..hw]);
            let mean = planes().map(sums::sum).sum::<f64>() / m;
            let var = planes().map(|p| sums::sum_sq_dev(p, mean)).sum::<f64>() / m;
            ChannelStats {
                mean,
                var,
                inv_std: 1.0 / (var + eps).sqrt(),
            }
        })
        .collect()
}

/// The training forward over NCHW values `x` (`c` channels of `hw`): batch statistics (kept in
/// `keep` for the backward pass and the running update), then `max?(gamma xhat + beta)`.
pub(crate) fn normalize<T: Elem>(
    x: &[T],
    gamma: &[T],
    beta: &[T],
    (c, hw): (usize, usize),
    eps: f64,
    relu: bool,
    keep: &Mutex<Vec<ChannelStats>>,
) -> candle_core::Result<Vec<T>> {
    let stats = channel_stats(x, c, hw, eps);
    let a: Vec<T> = stats
        .iter()
        .zip(gamma)
        .map(|(s, &g)| T::from_f64(g.to_f64() * s.inv_std))
        .collect();
    let sh: Vec<T> = stats
        .iter()
        .zip(gamma.iter().zip(beta))
        .map(|(s, (&g, &b))| T::from_f64(b.to_f64() - s.mean * s.inv_std * g.to_f64()))
        .collect();
    *keep
        .lock()
        .map_err(|_| candle_core::Error::Msg("batch_norm: lock poisoned".into()))? = stats;
    Ok(affine(x, &a, &sh, hw, relu))
}

/// `y = max?(x * a[c] + b[c])` over NCHW data, parallel over planes.
pub(crate) fn affine<T: Elem>(x: &[T], a: &[T], b: &[T], hw: usize, relu: bool) -> Vec<T> {
    let c = a.len();
    let zero = T::from_f64(0.0);
    // SAFETY: the planes below cover `y` and each writes its plane in full.
    let mut y = unsafe { cpu::scratch(x.len()) };
    y.par_chunks_mut(hw)
        .zip(x.par_chunks(hw))
        .enumerate()
        .for_each(|(i, (yp, xp))| {
            let (a, b) = (a[i % c], b[i % c]);
            wide!({
                if relu {
                    for (o, &v) in yp.iter_mut().zip(xp) {
                        let t = v * a + b;
                        *o = if t > zero { t } else { zero };
                    }
                } else {
                    for (o, &v) in yp.iter_mut().zip(xp) {
                        *o = v * a + b;
                    }
                }
            })
        });
    y
}

/// Per-channel `(sum g, sum g * x)` for NCHW data, `g` masked by the ReLU output `relu_out` if
/// given.
pub(crate) fn channel_sums<T: Elem>(
    g: &[T],
    x: &[T],
    relu_out: Option<&[T]>,
    (c, hw): (usize, usize),
) -> Vec<(f64, f64)> {
    let n = x.len() / (c * hw);
    (0..c)
        .into_par_iter()
        .map(|ch| {
            (0..n).fold((0.0, 0.0), |(sg, sgx), i| {
                let r = off_range(i * c + ch, hw);
                let mask = relu_out.map(|o| &o[r.clone()]);
                let (a, b) = sums::sum_and_dot(&g[r.clone()], &x[r], mask);
                (sg + a, sgx + b)
            })
        })
        .collect()
}

/// Plane `plane`'s range in NCHW data of `hw` values per plane.
fn off_range(plane: usize, hw: usize) -> std::ops::Range<usize> {
    plane * hw..(plane + 1) * hw
}

/// The training backward: from the output gradient `grad` (masked by ReLU through the output
/// `res` when `relu`), the input `x`, the scale `weight` and the statistics the forward kept,
/// the gradients of the input, the scale and the shift.
///
/// The mask is applied value by value inside the two passes (channel sums, then `dx`) instead of
/// being written out first: the same masked values, one pass over the activation fewer.
pub(crate) fn backward(
    x: &Tensor,
    weight: &Tensor,
    res: &Tensor,
    grad: &Tensor,
    relu: bool,
    stats: &Mutex<Vec<ChannelStats>>,
) -> candle_core::Result<(Tensor, Tensor, Tensor)> {
    let (n, c, h, w) = x.dims4()?;
    let hw = h * w;
    let m = (n * hw) as f64;
    let stats = stats
        .lock()
        .map_err(|_| candle_core::Error::Msg("batch_norm: lock poisoned".into()))?
        .clone();
    fn run<T: Elem>(
        (x, weight, grad): (&Tensor, &Tensor, &Tensor),
        relu_out: Option<&[T]>,
        stats: &[ChannelStats],
        (c, hw, m): (usize, usize, f64),
    ) -> candle_core::Result<(Tensor, Tensor, Tensor)> {
        let gamma = cpu::to_vec::<T>(weight)?;
        let (dx, dgamma, dbeta) = cpu::with_slice(x, |xs: &[T]| {
            cpu::with_slice(grad, |gs: &[T]| {
                // sum g * xhat = (sum g x - mean sum g) * inv_std
                let sums = channel_sums(gs, xs, relu_out, (c, hw));
                let dbeta: Vec<f64> = sums.iter().map(|s| s.0).collect();
                let dgamma: Vec<f64> = sums
                    .iter()
                    .zip(stats)
                    .map(|(s, st)| (s.1 - st.mean * s.0) * st.inv_std)
                    .collect();
                // dx = gamma inv_std (g - dbeta/m - xhat dgamma/m) = g*k1 + x*k2 + k3
                let mut k1 = Vec::with_capacity(c);
                let mut k2 = Vec::with_capacity(c);
                let mut k3 = Vec::with_capacity(c);
                for ch in 0..c {
                    let st = stats[ch];
                    let gi = gamma[ch].to_f64() * st.inv_std;
                    let q = dgamma[ch] * st.inv_std / m;
                    k1.push(T::from_f64(gi));
                    k2.push(T::from_f64(-gi * q));
                    k3.push(T::from_f64(gi * (st.mean * q - dbeta[ch] / m)));
                }
                // SAFETY: the planes below cover `dx` and each writes its plane in full.
                let mut dx = unsafe { cpu::scratch(xs.len()) };
                dx.par_chunks_mut(hw)
                    .zip(xs.par_chunks(hw).zip(gs.par_chunks(hw)))
                    .enumerate()
                    .for_each(|(i, (d, (xp, gp)))| {
                        let ch = i % c;
                        let (a, b, k) = (k1[ch], k2[ch], k3[ch]);
                        match relu_out {
                            None => wide!({
                                for ((d, &x), &g) in d.iter_mut().zip(xp).zip(gp) {
                                    *d = g * a + x * b + k;
                                }
                            }),
                            Some(r) => {
                                let rp = &r[off_range(i, hw)];
                                wide!({
                                    for (((d, &x), &g), &q) in d.iter_mut().zip(xp).zip(gp).zip(rp)
                                    {
                                        *d = sums::through_relu(g, q) * a + x * b + k;
                                    }
                                })
                            }
                        }
                    });
                (dx, dgamma, dbeta)
            })
        })??;
        let dev = x.device();
        Ok((
            Tensor::from_vec(dx, x.shape(), dev)?,
            Tensor::from_vec(dgamma, c, dev)?.to_dtype(x.dtype())?,
            Tensor::from_vec(dbeta, c, dev)?.to_dtype(x.dtype())?,
        ))
    }
    let grad = grad.contiguous()?;
    Ok(cpu::for_float!(x.dtype(), "batch_norm_train", |T| {
        let inputs = (x, weight, &grad);
        if relu {
            cpu::with_slice(res, |r: &[T]| run::<T>(inputs, Some(r), &stats, (c, hw, m)))??
        } else {
            run::<T>(inputs, None, &stats, (c, hw, m))?
        }
    }))
}

/// Training BatchNorm custom op over (x, weight, bias).
struct BnTrain {
    eps: f64,
    relu: bool,
    stats: Arc<Mutex<Vec<ChannelStats>>>,
}

impl CustomOp3 for BnTrain {
    fn name(&self) -> &'static str {
        "sslinv-batch-norm-train"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (_, c, h, w) = l1.shape().dims4()?;
        let out = cpu::for_float!(cpu::dtype(s1), "batch_norm_train", |T| {
            let (x, g, b) = cpu::slices3((s1, l1), (s2, l2), (s3, l3))?;
            cpu::owned(normalize::<T>(
                x,
                g,
                b,
                (c, h * w),
                self.eps,
                self.relu,
                &self.stats,
            )?)
        });
        Ok((out, l1.shape().clone()))
    }

    fn bwd(
        &self,
        x: &Tensor,
        weight: &Tensor,
        _bias: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let (dx, dg, db) = backward(x, weight, res, grad, self.relu, &self.stats)?;
        Ok((Some(dx), Some(dg), Some(db)))
    }
}
