//! Training threads that stay on their cores. At the demo's shape (MoCo v2, ResNet-18 x0.25,
//! batch 16) a lone single-threaded run that migrated between the two cores ran 154 img/s and a
//! pinned one 208; a 2-thread run inside a pinned pool 221 against 184 unpinned (batch 64: 312
//! against 287; `moco_step`, docs/performance.md).

/// Pins the calling thread to the `core`-th CPU this process may use (modulo their count);
/// does nothing where the platform has no affinity call or the call fails (the run is only slower).
pub fn pin_current_thread(core: usize) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: a zeroed cpu_set_t is a valid empty set; the calls only read and write it.
        unsafe {
            let mut allowed: libc::cpu_set_t = std::mem::zeroed();
            let size = std::mem::size_of::<libc::cpu_set_t>();
            if libc::sched_getaffinity(0, size, &mut allowed) != 0 {
                return;
            }
            let cpus: Vec<usize> = (0..libc::CPU_SETSIZE as usize)
                .filter(|&c| libc::CPU_ISSET(c, &allowed))
                .collect();
            if cpus.is_empty() {
                return;
            }
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(cpus[core % cpus.len()], &mut set);
            libc::sched_setaffinity(0, size, &set);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = core;
}

/// Runs `f` on a rayon pool of `threads` threads, thread i pinned to core `first_core + i`, so
/// the caller's work and every rayon kernel it starts stay on those cores.
pub fn run_pinned<R: Send>(
    threads: usize,
    first_core: usize,
    f: impl FnOnce() -> R + Send,
) -> Result<R, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(move |i| format!("sslinv-pinned-{}", first_core + i))
        .start_handler(move |i| pin_current_thread(first_core + i))
        .build()?;
    Ok(pool.install(f))
}
