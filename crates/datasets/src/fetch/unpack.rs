//! Unpacking the archives a Hub copy holds (`.zip` with the zip crate, `.tar[.gz]`/`.tgz` with `tar`).

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{DatasetError, Result};
use crate::fsutil;

/// True for the archive types `unpack` handles.
pub fn is_archive(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with(".zip") || n.ends_with(".tar") || n.ends_with(".tar.gz") || n.ends_with(".tgz")
}

/// True for the macOS metadata zips made on a Mac carry (`__MACOSX/`, `._name`): they are not data,
/// and a `._x.tar.gz` is no tarball, so unpacking one would fail.
pub fn is_mac_metadata(path: &Path) -> bool {
    path.components().any(|c| {
        let c = c.as_os_str().to_string_lossy();
        c == "__MACOSX" || c.starts_with("._")
    })
}

fn archives_under(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(fsutil::walk_files(dir, &["zip", "tar", "gz", "tgz"])?
        .into_iter()
        .filter(|p| is_archive(&fsutil::file_name(p)) && !is_mac_metadata(p))
        .collect())
}

/// The archives under `dir` now, so that `unpack_nested` can leave them alone later.
pub fn archives_before(dir: &Path) -> Result<Vec<PathBuf>> {
    archives_under(dir)
}

/// Unpacks, next to themselves, the archives that unpacking left under `dest` (not those in `before`),
/// one level deep: the official Caltech101 zip holds `101_ObjectCategories.tar.gz`, for example.
pub fn unpack_nested(dest: &Path, before: &[PathBuf]) -> Result<usize> {
    let mut n = 0;
    for inner in archives_under(dest)? {
        if before.contains(&inner) {
            continue;
        }
        unpack(&inner, inner.parent().unwrap_or(dest))?;
        n += 1;
    }
    Ok(n)
}

/// Unpacks a `.zip` (zip crate) or `.tar[.gz]`/`.tgz` (the system `tar`) into `dest`, leaving out
/// macOS metadata entries.
pub fn unpack(archive: &Path, dest: &Path) -> Result<()> {
    let name = fsutil::file_name(archive).to_ascii_lowercase();
    if name.ends_with(".zip") {
        return unzip(archive, dest);
    }
    let status = std::process::Command::new("tar")
        .arg("--exclude=__MACOSX")
        .arg("--exclude=._*")
        .arg("-xf")
        .arg(archive)
        .arg("-C")
        .arg(dest)
        .status()
        .map_err(|e| {
            DatasetError::Unsupported(format!(
                "{}: unpacking needs the `tar` program: {e}",
                archive.display()
            ))
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(DatasetError::format(
            archive,
            format!("tar -xf failed ({status})"),
        ))
    }
}

fn unzip(archive: &Path, dest: &Path) -> Result<()> {
    let file = std::fs::File::open(archive).map_err(|e| DatasetError::io(archive, e))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| DatasetError::format(archive, format!("not a readable zip: {e}")))?;
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| DatasetError::format(archive, format!("entry {i}: {e}")))?;
        // enclosed_name refuses absolute paths and `..`, so an archive cannot write outside `dest`.
        let Some(rel) = entry.enclosed_name() else {
            continue;
        };
        if is_mac_metadata(&rel) {
            continue;
        }
        let out = dest.join(&rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&out).map_err(|e| DatasetError::io(&out, e))?;
            continue;
        }
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent).map_err(|e| DatasetError::io(parent, e))?;
        }
        // The declared size only sizes the first allocation; a lying header cannot make it huge.
        let mut bytes = Vec::with_capacity(entry.size().min(1 << 26) as usize);
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| DatasetError::format(archive, format!("entry {}: {e}", rel.display())))?;
        fsutil::write_atomic(&out, &bytes)?;
    }
    Ok(())
}
