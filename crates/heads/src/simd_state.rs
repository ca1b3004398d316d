//! faer's x86 matrix products (private-gemm-x86's generated assembly) return with the upper
//! halves of the AVX registers dirty, and from then on every libm call pays a state transition:
//! `f64::exp` took 123 ns instead of 3.5 ns after one faer product on this project's AVX-512 Xeon,
//! and the logistic probe spent 76 % of its time there. Loops that call libm after a faer
//! product clear the state first.

/// Marks the upper halves of the AVX registers clean (`vzeroupper`) on CPUs with AVX; nothing
/// elsewhere. Cheap (one instruction after a cached feature check).
pub fn clear_upper_simd_state() {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU has AVX; vzeroupper only clears upper register halves, which code
        // built for this target holds no values in across a call.
        unsafe { std::arch::x86_64::_mm256_zeroupper() }
    }
}
