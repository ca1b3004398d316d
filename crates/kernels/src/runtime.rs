//! Process-wide settings of candle's CPU runtime that suit these kernels.

/// Sets candle's CPU environment for these kernels, unless the user set it: no spin-waiting in
/// candle's thread pool (it fights our rayon kernels for the cores: 1.6 vs 1.2 s per ResNet-18
/// training step on 2 cores) and one thread for candle's own ops, which are small next to ours
/// and on several threads mostly wait on barriers (MoCo v2 at the demo's shape: 194 vs 174 img/s
/// in batches of 16, 300 vs 287 in batches of 64, the same losses; feature extraction unchanged).
///
/// # Safety
/// Call it before any other thread exists: it sets environment variables.
pub unsafe fn configure_candle_cpu() {
    for (var, value) in [
        ("CANDLE_BARRIER_POOL_SPIN_LIMIT", "0"),
        ("CANDLE_NUM_THREADS", "1"),
    ] {
        if std::env::var_os(var).is_none() {
            // SAFETY: the caller guarantees that no other thread reads the environment now.
            unsafe { std::env::set_var(var, value) };
        }
    }
}
