//! Temporary files a killed run left behind: every output is written to a temporary name and
//! renamed, so a SIGKILL mid-write leaves the old output whole and an orphaned temporary. A run
//! that starts removes the orphans of processes that no longer exist (never a live writer's).

use std::path::Path;

/// The writer's process id in a temporary's name: `.NAME.PID.N.tmp` (study) or
/// `NAME.tmp.PID.N` (encoders, objectives).
fn writer_pid(name: &str) -> Option<u32> {
    let parts: Vec<&str> = name.split('.').collect();
    let n = parts.len();
    if n >= 4 && parts[n - 1] == "tmp" {
        return parts[n - 3].parse().ok();
    }
    if n >= 4 && parts[n - 3] == "tmp" {
        return parts[n - 2].parse().ok();
    }
    None
}

/// Whether process `pid` is alive; `None` where the system cannot say (no `/proc`).
fn alive(pid: u32) -> Option<bool> {
    let proc = Path::new("/proc");
    proc.is_dir().then(|| proc.join(pid.to_string()).exists())
}

/// Removes, under `dir` at any depth, the temporaries whose writer is dead; returns how many.
pub fn remove_orphaned_temporaries(dir: &Path) -> usize {
    let mut removed = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = e.file_name().to_string_lossy().into_owned();
            let orphan = writer_pid(&name).is_some_and(|pid| alive(pid) == Some(false));
            if orphan && std::fs::remove_file(&path).is_ok() {
                removed += 1;
            }
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orphans_of_dead_writers_go_and_live_ones_stay() {
        assert_eq!(writer_pid(".study.json.123.4.tmp"), Some(123));
        assert_eq!(writer_pid("ventral.safetensors.tmp.77.0"), Some(77));
        assert_eq!(writer_pid("study.json"), None);
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("results");
        std::fs::create_dir_all(&sub).unwrap();
        // PIDs above the kernel's maximum (4,194,304) never belong to a live process.
        let dead = sub.join(".a.json.999999999.0.tmp");
        let live = sub.join(format!(".b.json.{}.0.tmp", std::process::id()));
        let kept = sub.join("a.json");
        for p in [&dead, &live, &kept] {
            std::fs::write(p, b"{}").unwrap();
        }
        if Path::new("/proc").is_dir() {
            assert_eq!(remove_orphaned_temporaries(dir.path()), 1);
            assert!(!dead.exists());
        }
        assert!(live.exists() && kept.exists());
    }
}
