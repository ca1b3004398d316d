//! Eval-mode BatchNorm(+ReLU): the running statistics folded into a per-channel affine map,
//! applied by one custom op whose backward gives the input, scale and shift gradients.

use crate::batch_norm::{BnParams, affine, channel_sums, channels};
use crate::cpu::{self, Elem};
use crate::eltwise::relu_mask;
use crate::error::Result;
use crate::reference;
use candle_core::{CpuStorage, CustomOp3, Layout, Shape, Tensor};

/// Eval-mode BatchNorm with the running statistics (`momentum` unused), then ReLU if `relu`.
pub fn batch_norm_eval(x: &Tensor, bn: BnParams<'_>, relu: bool) -> Result<Tensor> {
    channels("batch_norm_eval", x, &bn)?;
    let (scale, shift) = bn.scale_shift()?;
    if cpu::fast(x) && scale.device().is_cpu() && scale.dtype() == x.dtype() {
        let op = Affine { relu };
        return Ok(x
            .contiguous()?
            .apply_op3(&scale.contiguous()?, &shift.contiguous()?, op)?);
    }
    reference::channel_affine(x, &scale, &shift, relu)
}

/// Per-channel `y = x * scale + shift` (+ReLU) custom op over (x, scale, shift).
struct Affine {
    relu: bool,
}

impl CustomOp3 for Affine {
    fn name(&self) -> &'static str {
        "sslinv-channel-affine"
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
        let (_, _, h, w) = l1.shape().dims4()?;
        let out = cpu::for_float!(cpu::dtype(s1), "batch_norm_eval", |T| {
            let (x, a, b) = cpu::slices3((s1, l1), (s2, l2), (s3, l3))?;
            cpu::owned(affine::<T>(x, a, b, h * w, self.relu))
        });
        Ok((out, l1.shape().clone()))
    }

    fn bwd(
        &self,
        x: &Tensor,
        scale: &Tensor,
        _shift: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let (_, c, h, w) = x.dims4()?;
        let grad = if self.relu {
            relu_mask(grad, res)?
        } else {
            grad.contiguous()?
        };
        fn run<T: Elem>(
            x: &Tensor,
            scale: &Tensor,
            grad: &Tensor,
            c: usize,
            hw: usize,
        ) -> candle_core::Result<(Tensor, Tensor, Tensor)> {
            let a = cpu::to_vec::<T>(scale)?;
            let zeros = vec![T::from_f64(0.0); c];
            let (dx, sums) = cpu::with_slice(x, |xs: &[T]| {
                cpu::with_slice(grad, |gs: &[T]| {
                    (
                        affine(gs, &a, &zeros, hw, false),
                        channel_sums(gs, xs, None, (c, hw)),
                    )
                })
            })??;
            let dev = x.device();
            let dshift: Vec<f64> = sums.iter().map(|s| s.0).collect();
            let dscale: Vec<f64> = sums.iter().map(|s| s.1).collect();
            Ok((
                Tensor::from_vec(dx, x.shape(), dev)?,
                Tensor::from_vec(dscale, c, dev)?.to_dtype(x.dtype())?,
                Tensor::from_vec(dshift, c, dev)?.to_dtype(x.dtype())?,
            ))
        }
        let (dx, ds, db) = cpu::for_float!(x.dtype(), "batch_norm_eval", |T| {
            run::<T>(x, scale, &grad, c, h * w)?
        });
        Ok((Some(dx), Some(ds), Some(db)))
    }
}
