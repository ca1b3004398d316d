//! Flickr1024: stereo pairs `NNNN_L.png` / `NNNN_R.png` at any depth under the root (the official
//! download), or the Hub's parquet (`ernestchu/flickr1024`: `data/{train,validation,test}-*.parquet`,
//! image columns `left_image`, `right_image`), converted once into `<root>/flickr1024-pairs/`.

use std::path::{Path, PathBuf};

use crate::error::{DatasetError, Result};
use crate::fsutil;
use crate::views::ViewGroups;

/// The folder under the root that the parquet copy is converted into.
pub const PAIRS_DIR: &str = "flickr1024-pairs";

/// The image columns of the Hub copy, left then right.
pub const COLUMNS: [&str; 2] = ["left_image", "right_image"];

const EXTS: &[&str] = &["png", "jpg", "jpeg"];

/// True for paths inside a hidden folder (an unfinished conversion, `.cache`, ...).
fn hidden(root: &Path, p: &Path) -> bool {
    p.strip_prefix(root)
        .unwrap_or(p)
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

/// The parquet files under the root (hidden folders left out), sorted.
pub fn parquet_shards(root: &Path) -> Result<Vec<PathBuf>> {
    Ok(fsutil::walk_files(root, &["parquet"])?
        .into_iter()
        .filter(|p| !hidden(root, p))
        .collect())
}

/// One group per stereo pair (left, right).
///
/// When the root holds parquet shards and no converted folder yet, they are converted first (once:
/// later calls find `flickr1024-pairs/`).
pub fn open(root: &Path) -> Result<ViewGroups> {
    let converted = root.join(PAIRS_DIR);
    if !converted.is_dir() {
        let shards = parquet_shards(root)?;
        if !shards.is_empty() {
            convert_parquet(&shards, root)?;
        }
    }
    let base = if converted.is_dir() {
        converted
    } else {
        root.to_path_buf()
    };
    let mut keyed = Vec::new();
    for left in fsutil::walk_files(&base, EXTS)? {
        if hidden(&base, &left) {
            continue;
        }
        let name = fsutil::file_name(&left);
        let Some((stem, ext)) = name.rsplit_once('.') else {
            continue;
        };
        let Some(id) = stem.strip_suffix("_L") else {
            continue;
        };
        let right = left.with_file_name(format!("{id}_R.{ext}"));
        if !right.is_file() {
            return Err(DatasetError::missing(right, "right view of a stereo pair"));
        }
        let rel = left.strip_prefix(&base).unwrap_or(&left).with_file_name(id);
        let id = rel.display().to_string();
        keyed.push((id.clone(), left));
        keyed.push((id, right));
    }
    ViewGroups::from_keyed("flickr1024", keyed)
}

/// Converts parquet shards into `<root>/flickr1024-pairs/<split>/NNNN_{L,R}.<png|jpg>` unless that
/// folder exists; returns it.
///
/// The split is the shard name before its first `-` (`train-00000-of-00005.parquet`), or its folder
/// for the Hub's converted layout (`default/train/0000.parquet`); NNNN counts the split's rows from 1
/// over the shards in name order. The pairs are written into a hidden sibling folder renamed into
/// place at the end, so an interrupted conversion never leaves a half folder behind (the next run
/// deletes the leftover and starts again).
pub fn convert_parquet(shards: &[PathBuf], root: &Path) -> Result<PathBuf> {
    let out = root.join(PAIRS_DIR);
    if out.is_dir() {
        return Ok(out);
    }
    if shards.is_empty() {
        return Err(DatasetError::missing(
            root.join("data/*.parquet"),
            "Flickr1024 parquet shards (columns left_image, right_image)",
        ));
    }
    let tmp = root.join(format!(".{PAIRS_DIR}.partial-{}", std::process::id()));
    remove_leftovers(root)?;
    std::fs::create_dir_all(&tmp).map_err(|e| DatasetError::io(&tmp, e))?;
    let written = super::pairs_parquet::write_pairs(shards, &tmp);
    let done = written.and_then(|_| {
        std::fs::rename(&tmp, &out).or_else(|e| {
            // Another process finished the same conversion first: use its folder.
            if out.is_dir() {
                Ok(())
            } else {
                Err(DatasetError::io(&out, e))
            }
        })
    });
    if tmp.exists() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    done.map(|_| out)
}

/// Deletes the unfinished conversions of processes that are gone (pid no longer alive; where that
/// cannot be told, only our own pid's).
fn remove_leftovers(root: &Path) -> Result<()> {
    let prefix = format!(".{PAIRS_DIR}.partial-");
    for p in fsutil::list_dir(root)? {
        let Some(pid) = fsutil::file_name(&p)
            .strip_prefix(&prefix)
            .map(str::to_string)
        else {
            continue;
        };
        let alive = pid != std::process::id().to_string()
            && (!Path::new("/proc/self").exists() || Path::new("/proc").join(&pid).exists());
        if !alive {
            std::fs::remove_dir_all(&p).map_err(|e| DatasetError::io(&p, e))?;
        }
    }
    Ok(())
}

/// The split a shard belongs to (see [`convert_parquet`]).
pub fn shard_split(shard: &Path) -> String {
    let name = fsutil::file_name(shard);
    let stem = name.strip_suffix(".parquet").unwrap_or(&name);
    if !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit()) {
        return shard
            .parent()
            .map(fsutil::file_name)
            .unwrap_or_else(|| "all".into());
    }
    stem.split('-').next().unwrap_or(stem).to_string()
}
