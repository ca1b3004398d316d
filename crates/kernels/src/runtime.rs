//! Process-wide settings of candle's CPU runtime and of the allocator that suit these kernels.

/// Applies both settings below, as every training binary wants them (xtask, the timing
/// examples): candle's CPU environment, then mimalloc keeping freed memory.
///
/// # Safety
/// Call it before any other thread exists: it sets environment variables.
pub unsafe fn configure_process() {
    // SAFETY: forwarded to the caller.
    unsafe { configure_candle_cpu() };
    keep_freed_memory();
}

/// Runs `f` as `cargo xtask pretrain` runs training steps on a CPU, for binaries that time
/// them: the process settings of [`configure_process`], then a pool of rayon's thread count
/// whose threads are pinned to the first cores.
///
/// # Safety
/// As [`configure_process`]: call it before any other thread exists.
pub unsafe fn run_like_pretrain<R: Send>(
    f: impl FnOnce() -> R + Send,
) -> Result<R, rayon::ThreadPoolBuildError> {
    // SAFETY: forwarded to the caller.
    unsafe { configure_process() };
    crate::affinity::run_pinned(rayon::current_num_threads(), 0, f)
}

/// Sets candle's CPU environment for these kernels, unless the user set it: no spin-waiting in
/// candle's thread pool (it fights our rayon kernels for the cores: 1.6 vs 1.2 s per ResNet-18
/// training step on 2 cores) and one thread for candle's own ops, which are small next to ours
/// and on several threads mostly wait on barriers (MoCo v2 at the demo's shape: 194 vs 174 img/s
/// in batches of 16, 300 vs 287 in batches of 64, the same losses; feature extraction unchanged).
///
/// # Safety
/// Call it before any other thread exists: it sets environment variables.
unsafe fn configure_candle_cpu() {
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

// Links the mimalloc C library, which defines the symbol below.
use mimalloc as _;

unsafe extern "C" {
    /// mimalloc's run-time option setter (exported by the C library the `mimalloc` crate links).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc v2 (the `mimalloc` crate's default build).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// Keeps freed memory with mimalloc instead of purging it to the OS, for processes that use
/// `mimalloc::MiMalloc` as their global allocator: a training step frees and reallocates the
/// same sizes every step, and purged blocks came back as page faults that zero whole huge pages
/// (10-20 % of a step's CPU time). Harmless where mimalloc is linked but not the allocator.
fn keep_freed_memory() {
    // SAFETY: sets an integer option of the mimalloc this crate links (a plain store).
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}
