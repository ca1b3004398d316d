//! Caltech101: `101_ObjectCategories/<class>/image_XXXX.jpg`, 102 classes (BACKGROUND_Google included)
//! in case-sensitive sorted order, 30 training images per class.
//!
//! The split is a file, `caltech101_split.txt` in the root (`train|test <class>/<file>` per line):
//! read when present, else drawn per class with ChaCha8 (seed 0) over the sorted files and written there,
//! so every later run (and every user with the same download) sees the same split.

use std::collections::HashMap;
use std::path::Path;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::error::{DatasetError, Result};
use crate::fsutil;
use crate::image_set::ImageSet;
use crate::loaders::image_folder;
use crate::split::Split;
use crate::target::Targets;

/// Training images per class.
pub const TRAIN_PER_CLASS: usize = 30;
/// The split file's name in the dataset root.
pub const SPLIT_FILE: &str = "caltech101_split.txt";

/// Loads a Caltech101 split.
pub fn load(root: &Path, split: Split) -> Result<ImageSet> {
    let base = fsutil::find_base(root, "101_ObjectCategories");
    let root = base.as_path();
    let dir = root.join("101_ObjectCategories");
    fsutil::require(
        &dir,
        "Caltech101 image folder `101_ObjectCategories/<class>/image_XXXX.jpg`",
    )?;
    let (items, ids, classes) = image_folder::scan(&dir)?;
    let rel: Vec<String> = items
        .iter()
        .map(|it| {
            let p = it.source.path().unwrap_or(Path::new(""));
            let class = p.parent().map(fsutil::file_name).unwrap_or_default();
            format!("{class}/{}", fsutil::file_name(p))
        })
        .collect();
    let split_path = root.join(SPLIT_FILE);
    let is_train = if split_path.exists() {
        read_split(&split_path, &rel)?
    } else {
        draw_split(&split_path, &ids, classes.len(), &rel)
    };
    let all = ImageSet::new(
        "caltech101",
        Split::All,
        items,
        Targets::Classes {
            ids,
            count: classes.len(),
        },
    )?;
    let pick: Vec<usize> = match split {
        Split::Train => (0..rel.len()).filter(|&i| is_train[i]).collect(),
        Split::Test => (0..rel.len()).filter(|&i| !is_train[i]).collect(),
        Split::All => (0..rel.len()).collect(),
        Split::Val => {
            return Err(DatasetError::UnknownSplit {
                dataset: "caltech101".into(),
                split: "val".into(),
                known: "train, test, all".into(),
            });
        }
    };
    Ok(all.select(split, &pick))
}

fn read_split(path: &Path, rel: &[String]) -> Result<Vec<bool>> {
    let text = fsutil::read_text(path)?;
    let index: HashMap<&str, usize> = rel
        .iter()
        .enumerate()
        .map(|(i, r)| (r.as_str(), i))
        .collect();
    let mut is_train = vec![false; rel.len()];
    let mut seen = vec![false; rel.len()];
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((which, file)) = line.split_once(' ') else {
            return Err(DatasetError::annotation(
                path,
                n + 1,
                "want `train|test <class>/<file>`",
            ));
        };
        let Some(&i) = index.get(file.trim()) else {
            return Err(DatasetError::annotation(
                path,
                n + 1,
                format!("`{file}` is not in 101_ObjectCategories"),
            ));
        };
        is_train[i] = match which {
            "train" => true,
            "test" => false,
            other => {
                return Err(DatasetError::annotation(
                    path,
                    n + 1,
                    format!("split `{other}`, want train or test"),
                ));
            }
        };
        seen[i] = true;
    }
    if let Some(i) = seen.iter().position(|s| !s) {
        return Err(DatasetError::format(
            path,
            format!(
                "does not assign `{}`; delete the file to draw a new split",
                rel[i]
            ),
        ));
    }
    Ok(is_train)
}

fn draw_split(path: &Path, ids: &[i64], classes: usize, rel: &[String]) -> Vec<bool> {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut is_train = vec![false; ids.len()];
    for c in 0..classes as i64 {
        let mut members: Vec<usize> = (0..ids.len()).filter(|&i| ids[i] == c).collect();
        members.shuffle(&mut rng);
        for &i in members.iter().take(TRAIN_PER_CLASS) {
            is_train[i] = true;
        }
    }
    let text: String = rel
        .iter()
        .zip(&is_train)
        .map(|(r, &t)| format!("{} {r}\n", if t { "train" } else { "test" }))
        .collect();
    // A read-only copy of the dataset still loads: the split is a pure function of the file list.
    let _ = fsutil::write_atomic(path, text.as_bytes());
    is_train
}
