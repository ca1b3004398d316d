//! Writing result files so a killed run or a racing process never leaves a torn one.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Result, StudyError};

fn io(path: &Path, source: std::io::Error) -> StudyError {
    StudyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `bytes` to `path` through a temporary file unique to this process and call, then
/// renames it into place: readers see the old file or the new one, never a partial one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&tmp, bytes).map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(path, e)
    })
}

/// Serialises `value` as pretty JSON into `path`, atomically.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|source| StudyError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    write_atomic(path, text.as_bytes())
}

/// Reads and parses the JSON at `path`.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
    serde_json::from_str(&text).map_err(|source| StudyError::Json {
        path: path.to_path_buf(),
        source,
    })
}

/// Helpers for the tests of the atomic writers (here and in the steps).
#[cfg(test)]
pub(crate) mod testing {
    use std::path::{Path, PathBuf};

    /// `rel` inside a fresh temporary folder, which lives as long as the returned guard.
    pub fn scratch(rel: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(rel);
        (dir, path)
    }

    /// Asserts that `path` is alone in its folder: its writes left no temporary beside it.
    pub fn assert_alone(path: &Path) {
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            [path.file_name().unwrap()],
            "temporary files left behind"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{assert_alone, scratch};
    use super::*;

    #[test]
    fn racing_writers_leave_one_whole_file() {
        let (_dir, path) = scratch("r.json");
        std::thread::scope(|s| {
            for t in 0..4u8 {
                let path = &path;
                s.spawn(move || {
                    for _ in 0..50 {
                        write_atomic(path, &vec![b'a' + t; 10_000]).unwrap();
                    }
                });
            }
        });
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.len(), 10_000);
        assert!(bytes.iter().all(|&b| b == bytes[0]), "torn file");
        assert_alone(&path);
    }
}
