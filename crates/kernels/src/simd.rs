//! Run-time dispatch of the hot loops to AVX-512. The workspace builds for baseline x86-64
//! (SSE2) so that one binary runs everywhere; only `gemm` picked wider instructions at run time,
//! and the elementwise, BatchNorm and im2col loops ran 4 lanes wide. [`wide!`] compiles a loop a
//! second time with AVX-512 enabled and picks that copy when the CPU has it. The arithmetic is
//! the same in both copies: Rust neither contracts a * b + c into an FMA nor reorders float
//! sums, and the reductions here keep fixed lane counts, so the results are bit-identical.

use std::sync::OnceLock;

/// Whether this CPU runs the AVX-512 copies (F, BW, VL, DQ with AVX2 and FMA). Setting
/// `SSLINV_NO_WIDE` (to anything) answers no, for comparisons.
#[cfg(target_arch = "x86_64")]
pub(crate) fn has_wide() -> bool {
    static WIDE: OnceLock<bool> = OnceLock::new();
    *WIDE.get_or_init(|| {
        std::env::var_os("SSLINV_NO_WIDE").is_none()
            && std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
    })
}

/// Evaluates a block compiled twice, for baseline x86-64 and for AVX-512, taking the AVX-512
/// copy when [`has_wide`]. The block must not `return` or use `?` (in the AVX-512 copy it is a
/// closure body).
macro_rules! wide {
    ($body:block) => {{
        #[cfg(target_arch = "x86_64")]
        {
            if $crate::simd::has_wide() {
                #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")]
                fn run<R>(f: impl FnOnce() -> R) -> R {
                    f()
                }
                // SAFETY: `has_wide` checked every feature `run` is compiled for.
                unsafe { run(|| $body) }
            } else {
                $body
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            $body
        }
    }};
}
