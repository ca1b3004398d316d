//! Convolution then training-mode BatchNorm(+ReLU) as one autograd node.
//!
//! The values are those of `conv2d` followed by `batch_norm_train`, computed by the same
//! functions. One node instead of two spares candle's backward one step per layer: it adds every
//! gradient it receives into a fresh `zeros_like` (an allocation, a memset and a pass over the
//! activation), on the driving thread while the others wait.

use super::compute::forward_train;
use super::{Geom, backward_tensors};
use crate::batch_norm::{self, BnParams, ChannelStats};
use crate::cpu::{self, Elem};
use crate::error::Result;
use candle_core::{CpuStorage, CustomOp3, Device, Layout, Shape, Tensor};
use std::sync::{Arc, Mutex};

/// `batch_norm_train(conv2d(x, w, stride, padding), bn, relu)` in one op: the same values, the
/// same gradients and the same running-statistics update.
pub fn conv2d_batch_norm_train(
    x: &Tensor,
    w: &Tensor,
    stride: usize,
    padding: usize,
    bn: BnParams<'_>,
    relu: bool,
) -> Result<Tensor> {
    let g = Geom::new(x, w, stride, padding)?;
    bn.check_channels("conv2d_batch_norm_train", g.co)?;
    let m = g.n * g.p();
    if !fusable(x, w, &bn) || m < 2 {
        let y = super::conv2d(x, w, stride, padding)?;
        return batch_norm::batch_norm_train(&y, bn, relu);
    }
    let stats = Arc::new(Mutex::new(Vec::new()));
    let op = ConvBn {
        stride,
        padding,
        eps: bn.eps,
        relu,
        stats: stats.clone(),
        conv_out: Mutex::new(None),
    };
    let scale_shift = Tensor::cat(&[bn.weight, bn.bias], 0)?;
    let y = x
        .contiguous()?
        .apply_op3(&w.contiguous()?, &scale_shift, op)?;
    batch_norm::update_running(&bn, &stats, g.co, m)?;
    Ok(y)
}

/// Whether a conv + BatchNorm unit of input `x` takes the fused CPU ops: the weight and the
/// affine parameters on the CPU in `x`'s dtype, `x` a CPU float tensor.
pub(super) fn fusable(x: &Tensor, w: &Tensor, bn: &BnParams<'_>) -> bool {
    cpu::fast(x)
        && [w, bn.weight, bn.bias]
            .iter()
            .all(|t| t.device().is_cpu() && t.dtype() == x.dtype())
}

/// The fused op over (x, w, gamma and beta concatenated); keeps the convolution's output and
/// the batch statistics for its backward pass.
struct ConvBn {
    stride: usize,
    padding: usize,
    eps: f64,
    relu: bool,
    stats: Arc<Mutex<Vec<ChannelStats>>>,
    conv_out: Mutex<Option<Tensor>>,
}

fn poisoned() -> candle_core::Error {
    candle_core::Error::Msg("conv2d_batch_norm_train: lock poisoned".into())
}

impl CustomOp3 for ConvBn {
    fn name(&self) -> &'static str {
        "sslinv-conv2d-batch-norm-train"
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
        let g = Geom::from_shapes(l1.dims(), l2.dims(), self.stride, self.padding);
        fn run<T: Elem>(
            op: &ConvBn,
            g: &Geom,
            (x, w, gb): (&[T], &[T], &[T]),
        ) -> candle_core::Result<CpuStorage> {
            let y = forward_train(g, x, w);
            let (gamma, beta) = gb.split_at(g.co);
            let out =
                batch_norm::normalize(&y, gamma, beta, (g.co, g.p()), op.eps, op.relu, &op.stats)?;
            *op.conv_out.lock().map_err(|_| poisoned())? =
                Some(Tensor::from_vec(y, g.out_shape(), &Device::Cpu)?);
            Ok(cpu::owned(out))
        }
        let out = cpu::for_float!(cpu::dtype(s1), "conv2d_batch_norm_train", |T| {
            run::<T>(self, &g, cpu::slices3((s1, l1), (s2, l2), (s3, l3))?)?
        });
        Ok((out, g.out_shape()))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        scale_shift: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let g = Geom::from_shapes(x.dims(), w.dims(), self.stride, self.padding);
        let y = self.conv_out.lock().map_err(|_| poisoned())?.clone();
        let y =
            y.ok_or_else(|| candle_core::Error::Msg("conv2d_batch_norm_train: no forward".into()))?;
        let gamma = scale_shift.narrow(0, 0, g.co)?;
        let (dy, dgamma, dbeta) =
            batch_norm::backward(&y, &gamma, res, grad, self.relu, &self.stats)?;
        // An input that is neither a variable nor computed from one (the images) needs no gradient.
        let (dx, dw, _) = backward_tensors(&g, x, w, &dy, (x.track_op(), false))?;
        Ok((dx, Some(dw), Some(Tensor::cat(&[&dgamma, &dbeta], 0)?)))
    }
}
