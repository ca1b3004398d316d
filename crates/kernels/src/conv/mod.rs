//! 2-D convolution (NCHW, groups 1) as im2col + GEMM on CPU, forward and backward.

mod block;
mod channels_last;
mod columns;
mod compute;
mod masked;
mod tap_rows;
mod tap_weights;
mod tile_io;
mod winograd;
#[cfg(target_arch = "x86_64")]
mod winograd_avx512;
#[cfg(target_arch = "x86_64")]
mod winograd_small;
mod winograd_tiles;
mod with_bn;

use crate::cpu::{self, Elem};
use crate::error::{Result, shape_err};
use crate::reference;
pub use block::{ConvBnUnit, residual_block_train};
use candle_core::{CpuStorage, CustomOp2, CustomOp3, Layout, Shape, Tensor};
use compute::{backward, forward, forward_train};
pub use with_bn::conv2d_batch_norm_train;

/// Convolution `x (N,C,H,W) * w (Co,C,kh,kw)` with zero padding, no bias.
///
/// Where a gradient will be taken (`x` or `w` is a variable or computed from one), the forward
/// pass is training's: Winograd F(2x2, 3x3) for stride-1 3x3 f32 convs, as the fused training
/// ops run it, so both give the same bits. Otherwise (inference) it is the im2col GEMM.
pub fn conv2d(x: &Tensor, w: &Tensor, stride: usize, padding: usize) -> Result<Tensor> {
    Geom::new(x, w, stride, padding)?;
    if cpu::fast(x) && x.dtype() == w.dtype() && w.device().is_cpu() {
        let op = Conv {
            stride,
            padding,
            relu: false,
            train: x.track_op() || w.track_op(),
        };
        return Ok(x.contiguous()?.apply_op2(&w.contiguous()?, op)?);
    }
    reference::conv2d(x, w, stride, padding)
}

/// Convolution plus a per-output-channel bias `b (Co)`, then ReLU if `relu` (fused into one pass
/// over the output): the eval-mode conv with BatchNorm folded in.
pub fn conv2d_bias(
    x: &Tensor,
    w: &Tensor,
    b: &Tensor,
    stride: usize,
    padding: usize,
    relu: bool,
) -> Result<Tensor> {
    let g = Geom::new(x, w, stride, padding)?;
    if b.dims() != [g.co] {
        return Err(shape_err(
            "conv2d_bias",
            format!("bias shape {:?}, expected [{}]", b.dims(), g.co),
        ));
    }
    if cpu::fast(x) && x.dtype() == w.dtype() && x.dtype() == b.dtype() && w.device().is_cpu() {
        let op = Conv {
            stride,
            padding,
            relu,
            train: false,
        };
        return Ok(x
            .contiguous()?
            .apply_op3(&w.contiguous()?, &b.contiguous()?, op)?);
    }
    let y =
        reference::conv2d(x, w, stride, padding)?.broadcast_add(&b.reshape((1, g.co, 1, 1))?)?;
    Ok(if relu { y.relu()? } else { y })
}

/// Sizes of one convolution.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geom {
    pub(crate) n: usize,
    pub(crate) c: usize,
    pub(crate) h: usize,
    pub(crate) w: usize,
    pub(crate) co: usize,
    pub(crate) kh: usize,
    pub(crate) kw: usize,
    pub(crate) oh: usize,
    pub(crate) ow: usize,
    pub(crate) stride: usize,
    pub(crate) pad: usize,
}

impl Geom {
    fn new(x: &Tensor, w: &Tensor, stride: usize, pad: usize) -> Result<Self> {
        Self::checked(x.dims(), w.dims(), stride, pad)
    }

    /// The sizes of a conv of an input of shape `x` with a weight of shape `w`, or why they do
    /// not fit together.
    fn checked(x: &[usize], w: &[usize], stride: usize, pad: usize) -> Result<Self> {
        let &[_, c, h, wd] = x else {
            return Err(shape_err(
                "conv2d",
                format!("input must be NCHW, got {x:?}"),
            ));
        };
        let &[_, ci, kh, kw] = w else {
            return Err(shape_err(
                "conv2d",
                format!("weight must be (Co,C,kh,kw), got {w:?}"),
            ));
        };
        if ci != c {
            return Err(shape_err(
                "conv2d",
                format!("input has {c} channels, weight expects {ci}"),
            ));
        }
        if stride == 0 || h + 2 * pad < kh || wd + 2 * pad < kw {
            return Err(shape_err(
                "conv2d",
                format!("kernel {kh}x{kw} stride {stride} padding {pad} does not fit {h}x{wd}"),
            ));
        }
        Ok(Self::from_shapes(x, w, stride, pad))
    }

    fn from_shapes(x: &[usize], w: &[usize], stride: usize, pad: usize) -> Self {
        let (n, c, h, wd) = (x[0], x[1], x[2], x[3]);
        let (co, kh, kw) = (w[0], w[2], w[3]);
        let oh = (h + 2 * pad - kh) / stride + 1;
        let ow = (wd + 2 * pad - kw) / stride + 1;
        Self {
            n,
            c,
            h,
            w: wd,
            co,
            kh,
            kw,
            oh,
            ow,
            stride,
            pad,
        }
    }

    /// Output pixels per image.
    pub(crate) fn p(&self) -> usize {
        self.oh * self.ow
    }

    /// The conv that maps output gradients to input gradients where [`Self::p`] is the input's
    /// size: input and output channels swapped.
    pub(crate) fn transposed(&self) -> Self {
        Self {
            c: self.co,
            co: self.c,
            ..*self
        }
    }

    /// A 1x1, stride-1, unpadded conv reads the image itself as its im2col matrix.
    pub(crate) fn pointwise(&self) -> bool {
        self.kh == 1 && self.kw == 1 && self.stride == 1 && self.pad == 0
    }

    fn out_shape(&self) -> Shape {
        Shape::from((self.n, self.co, self.oh, self.ow))
    }
}

/// The convolution custom op (2 inputs without bias, 3 with).
struct Conv {
    stride: usize,
    padding: usize,
    relu: bool,
    /// Training's forward pass ([`compute::forward_train`]); only without bias and ReLU.
    train: bool,
}

impl Conv {
    fn fwd_storage(
        &self,
        (s1, l1): (&CpuStorage, &Layout),
        (s2, l2): (&CpuStorage, &Layout),
        bias: Option<(&CpuStorage, &Layout)>,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let g = Geom::from_shapes(l1.dims(), l2.dims(), self.stride, self.padding);
        fn run<T: Elem>(
            c: &Conv,
            g: &Geom,
            (s1, l1): (&CpuStorage, &Layout),
            (s2, l2): (&CpuStorage, &Layout),
            bias: Option<(&CpuStorage, &Layout)>,
        ) -> candle_core::Result<CpuStorage> {
            let x = cpu::slice::<T>(s1, l1)?;
            let w = cpu::slice::<T>(s2, l2)?;
            let b = match bias {
                Some((s, l)) => Some(cpu::slice::<T>(s, l)?),
                None => None,
            };
            Ok(T::to_cpu_storage_owned(if c.train {
                forward_train(g, x, w)
            } else {
                forward(g, x, w, b, c.relu)
            }))
        }
        let out = cpu::for_float!(cpu::dtype(s1), "conv2d", |T| {
            run::<T>(self, &g, (s1, l1), (s2, l2), bias)?
        });
        Ok((out, g.out_shape()))
    }

    fn bwd_tensors(
        &self,
        x: &Tensor,
        w: &Tensor,
        res: &Tensor,
        grad: &Tensor,
        with_bias: bool,
    ) -> candle_core::Result<(Option<Tensor>, Tensor, Option<Tensor>)> {
        let g = Geom::from_shapes(x.dims(), w.dims(), self.stride, self.padding);
        let grad = if self.relu {
            crate::eltwise::relu_mask(grad, res)?
        } else {
            grad.clone()
        };
        // An input that is neither a variable nor computed from one (the images) needs no gradient.
        backward_tensors(&g, x, w, &grad, (x.track_op(), with_bias))
    }
}

/// The input (when `need.0`), weight and bias (when `need.1`) gradients of a convolution from its
/// output gradient `gy`, as tensors.
fn backward_tensors(
    g: &Geom,
    x: &Tensor,
    w: &Tensor,
    gy: &Tensor,
    need: (bool, bool),
) -> candle_core::Result<(Option<Tensor>, Tensor, Option<Tensor>)> {
    let (xv, wv, gv) = (x.contiguous()?, w.contiguous()?, gy.contiguous()?);
    let dev = x.device();
    Ok(cpu::for_float!(x.dtype(), "conv2d", |T| {
        let (dx, dw, db) = cpu::with_slice(&xv, |xs: &[T]| {
            cpu::with_slice(&wv, |ws: &[T]| {
                cpu::with_slice(&gv, |gs: &[T]| backward(g, xs, ws, gs, need))
            })
        })???;
        (
            dx.map(|dx| Tensor::from_vec(dx, x.shape(), dev))
                .transpose()?,
            Tensor::from_vec(dw, w.shape(), dev)?,
            db.map(|db| Tensor::from_vec(db, g.co, dev)).transpose()?,
        )
    }))
}

impl CustomOp2 for Conv {
    fn name(&self) -> &'static str {
        "sslinv-conv2d"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        self.fwd_storage((s1, l1), (s2, l2), None)
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>)> {
        let (dx, dw, _) = self.bwd_tensors(x, w, res, grad, false)?;
        Ok((dx, Some(dw)))
    }
}

impl CustomOp3 for Conv {
    fn name(&self) -> &'static str {
        "sslinv-conv2d-bias"
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
        self.fwd_storage((s1, l1), (s2, l2), Some((s3, l3)))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        _b: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let (dx, dw, db) = self.bwd_tensors(x, w, res, grad, true)?;
        Ok((dx, Some(dw), db))
    }
}
