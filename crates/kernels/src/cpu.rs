//! Shared CPU plumbing: which tensors take the fast path, slice access and a row-major GEMM.

use candle_core::{CpuStorage, DType, Layout, Storage, Tensor, WithDType};
use gemm::Parallelism;

/// Element types the CPU kernels are compiled for.
pub(crate) trait Elem: WithDType {
    /// The values as f32, where `Self` is f32 (for kernels written for f32 only).
    fn as_f32(s: &[Self]) -> Option<&[f32]>;
    /// f32 values as `Self`, where `Self` is f32.
    fn from_f32(v: Vec<f32>) -> Option<Vec<Self>>;
}

impl Elem for f32 {
    fn as_f32(s: &[f32]) -> Option<&[f32]> {
        Some(s)
    }
    fn from_f32(v: Vec<f32>) -> Option<Vec<f32>> {
        Some(v)
    }
}

impl Elem for f64 {
    fn as_f32(_: &[f64]) -> Option<&[f32]> {
        None
    }
    fn from_f32(_: Vec<f32>) -> Option<Vec<f64>> {
        None
    }
}

/// Evaluates `$body` with the type `$T` set to the element type of `$dtype` (f32 or f64); any
/// other dtype fails naming `$op`. The one dtype dispatch of every op's forward and backward.
macro_rules! for_float {
    ($dtype:expr, $op:literal, |$T:ident| $body:expr) => {
        match $dtype {
            candle_core::DType::F32 => {
                type $T = f32;
                $body
            }
            candle_core::DType::F64 => {
                type $T = f64;
                $body
            }
            d => candle_core::bail!("{}: unsupported dtype {d:?}", $op),
        }
    };
}
pub(crate) use for_float;

/// The element type of an op's CPU input.
pub(crate) fn dtype(s: &CpuStorage) -> DType {
    candle_core::backend::BackendStorage::dtype(s)
}

/// An op's output values as CPU storage.
pub(crate) fn owned<T: Elem>(values: Vec<T>) -> CpuStorage {
    T::to_cpu_storage_owned(values)
}

/// Whether `t` takes the custom CPU kernels (CPU device, f32 or f64).
pub(crate) fn fast(t: &Tensor) -> bool {
    t.device().is_cpu() && matches!(t.dtype(), DType::F32 | DType::F64)
}

/// The contiguous slice a custom op's forward receives (callers make inputs contiguous first).
pub(crate) fn slice<'a, T: Elem>(s: &'a CpuStorage, l: &Layout) -> candle_core::Result<&'a [T]> {
    let data = T::cpu_storage_as_slice(s)?;
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&data[a..b]),
        None => candle_core::bail!("kernels: expected a contiguous input"),
    }
}

/// The three inputs of a `CustomOp3`'s CPU forward as slices.
pub(crate) fn slices3<'a, T: Elem>(
    (s1, l1): (&'a CpuStorage, &Layout),
    (s2, l2): (&'a CpuStorage, &Layout),
    (s3, l3): (&'a CpuStorage, &Layout),
) -> candle_core::Result<(&'a [T], &'a [T], &'a [T])> {
    Ok((slice(s1, l1)?, slice(s2, l2)?, slice(s3, l3)?))
}

/// Runs `f` on the contiguous CPU data of `t`.
pub(crate) fn with_slice<T: Elem, R>(
    t: &Tensor,
    f: impl FnOnce(&[T]) -> R,
) -> candle_core::Result<R> {
    let t = t.contiguous()?;
    let (storage, layout) = t.storage_and_layout();
    match &*storage {
        Storage::Cpu(s) => Ok(f(slice::<T>(s, layout)?)),
        _ => candle_core::bail!("kernels: expected a CPU tensor"),
    }
}

/// Copies the contiguous CPU data of `t` into a vector.
pub(crate) fn to_vec<T: Elem>(t: &Tensor) -> candle_core::Result<Vec<T>> {
    with_slice(t, |s: &[T]| s.to_vec())
}

/// Row-major `c[m, n] (+)= a[m, k] * b[k, n]`, with `a` and `b` given by (row, column) strides.
///
/// # Safety
/// The pointers must cover the addressed elements and `c` must not alias `a` or `b`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn gemm_rm<T: Elem>(
    (m, n, k): (usize, usize, usize),
    c: *mut T,
    ldc: usize,
    accumulate: bool,
    (a, a_rs, a_cs): (*const T, usize, usize),
    (b, b_rs, b_cs): (*const T, usize, usize),
    par: Parallelism,
) {
    let one = T::from_f64(1.0);
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c,
            1,
            ldc as isize,
            accumulate,
            a,
            a_cs as isize,
            a_rs as isize,
            b,
            b_cs as isize,
            b_rs as isize,
            one,
            one,
            false,
            false,
            false,
            par,
        );
    }
}

/// Wraps a raw pointer so rayon tasks writing disjoint parts can share it.
#[derive(Clone, Copy)]
pub(crate) struct SendPtr<T>(pub *mut T);
unsafe impl<T> Send for SendPtr<T> {}
unsafe impl<T> Sync for SendPtr<T> {}

impl<T> SendPtr<T> {
    /// The pointer (a method, so closures capture the whole `Send` wrapper).
    pub(crate) fn get(self) -> *mut T {
        self.0
    }
}

/// A vector of `len` elements that the caller overwrites in full before reading any.
///
/// # Safety
/// Every element must be written before it is read (f32/f64 have no invalid bit patterns, so
/// the only hazard is reading stale heap bytes).
#[allow(clippy::uninit_vec)]
pub(crate) unsafe fn scratch<T: Elem>(len: usize) -> Vec<T> {
    let mut v = Vec::with_capacity(len);
    // SAFETY: forwarded to the caller.
    unsafe { v.set_len(len) };
    v
}
