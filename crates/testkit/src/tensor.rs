//! Comparing tensors in tests.

use candle_core::Tensor;

/// The largest absolute element-wise difference of two tensors of one shape (as f32).
pub fn max_abs_diff(a: &Tensor, b: &Tensor) -> f32 {
    let d = (a - b).and_then(|d| d.abs()).and_then(|d| d.flatten_all());
    let d = d
        .and_then(|d| d.max(0))
        .and_then(|d| d.to_dtype(candle_core::DType::F32));
    d.and_then(|d| d.to_scalar::<f32>())
        .expect("tensors of one shape")
}
