//! Fast CPU kernels for ResNets as candle custom ops, with candle-op fallbacks on other devices.
//!
//! Every function takes NCHW tensors on any device. On CPU with f32/f64 it runs a custom op
//! (rayon-parallel, im2col + `gemm` convolutions, fused BatchNorm+ReLU) whose backward is written
//! by hand; elsewhere it composes candle ops (cuDNN on CUDA). Either way gradients are correct.
#![warn(missing_docs)]

#[macro_use]
mod simd;
mod affinity;
mod batch_norm;
mod batch_norm_eval;
mod conv;
mod cpu;
mod eltwise;
mod error;
mod pool;
pub mod reference;
mod runtime;
mod sgd;
mod sums;
mod tie;

pub use affinity::{pin_current_thread, run_pinned};
pub use batch_norm::{BnParams, batch_norm_train};
pub use batch_norm_eval::batch_norm_eval;
pub use conv::{ConvBnUnit, conv2d, conv2d_batch_norm_train, conv2d_bias, residual_block_train};
pub use eltwise::{add_relu, relu};
pub use error::{KernelError, Result};
pub use pool::{global_avg_pool, max_pool2d};
pub use runtime::{configure_process, run_like_pretrain};
pub use sgd::{SgdStep, ema_update, sgd_update};
