//! Keeping a training thread on one core: a lone single-threaded run migrated between the two
//! cores of the demo machine and ran MoCo v2 at 154 img/s; pinned, 208 (`moco_step`, batch 16).

/// Pins the calling thread to core `core` (modulo the cores this process may use); does nothing
/// where the platform has no affinity call or the call fails (the run is only slower).
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
