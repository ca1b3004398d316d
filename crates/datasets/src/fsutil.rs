//! Directory listing helpers: sorted, byte-wise (case-sensitive) order, errors naming the path.

use std::path::{Path, PathBuf};

use crate::error::{DatasetError, Result};

/// Entries of `dir` sorted by file name (byte order, so case-sensitive as Python's `sorted`).
pub fn list_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => DatasetError::missing(dir, "folder"),
        _ => DatasetError::io(dir, e),
    })?;
    let mut out = Vec::new();
    for entry in rd {
        out.push(entry.map_err(|e| DatasetError::io(dir, e))?.path());
    }
    out.sort();
    Ok(out)
}

/// Sub-folders of `dir`, sorted.
pub fn subdirs(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(list_dir(dir)?.into_iter().filter(|p| p.is_dir()).collect())
}

/// Files of `dir` whose extension is one of `exts` (case-insensitive), sorted.
pub fn files_with_ext(dir: &Path, exts: &[&str]) -> Result<Vec<PathBuf>> {
    Ok(list_dir(dir)?
        .into_iter()
        .filter(|p| p.is_file() && has_ext(p, exts))
        .collect())
}

/// Files under `dir` at any depth whose extension is one of `exts`, sorted by full path.
pub fn walk_files(dir: &Path, exts: &[&str]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for p in list_dir(&d)? {
            if p.is_dir() {
                stack.push(p);
            } else if has_ext(&p, exts) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// True when `path`'s extension is one of `exts` (case-insensitive).
pub fn has_ext(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// The file name as UTF-8 (lossy), for parsing names like `obj12__40.png`.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Requires `path` to exist, else a `Missing` error saying what it should hold.
pub fn require(path: &Path, what: &str) -> Result<()> {
    if path.exists() {
        Ok(())
    } else {
        Err(DatasetError::missing(path, what))
    }
}

/// Reads a text file, naming it on failure.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => DatasetError::missing(path, "annotation file"),
        _ => DatasetError::io(path, e),
    })?;
    String::from_utf8(bytes).map_err(|e| DatasetError::format(path, format!("not UTF-8 text: {e}")))
}

/// Writes `bytes` to a temp file next to `path`, then renames it into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| DatasetError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| DatasetError::io(path, e))
}

/// The folder holding `marker`: `root` itself, or the one sub-folder of `root` that holds it (archives
/// often unpack into a folder of their own). Falls back to `root`, so errors name `root/marker`.
pub fn find_base(root: &Path, marker: &str) -> PathBuf {
    if root.join(marker).exists() {
        return root.to_path_buf();
    }
    let hits: Vec<PathBuf> = subdirs(root)
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.join(marker).exists())
        .collect();
    match hits.as_slice() {
        [one] => one.clone(),
        _ => root.to_path_buf(),
    }
}
