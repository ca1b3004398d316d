//! The paper's datasets under a data root: where each lives, which are present, how to get
//! the missing ones.

use sslinv_datasets::{CheckOptions, check, fetch, hub_source};
use std::path::{Path, PathBuf};

/// Pseudo-dataset name for ImageNet's training folder (`DATA/imagenet/train/<wnid>/*`).
pub const IMAGENET_TRAIN: &str = "imagenet-train";

/// ImageNet val: the statistics and sweep images.
pub const IMAGENET_VAL: &str = "imagenet";

/// Downstream datasets the probes run on: the registry's labelled sets but ImageNet.
pub fn downstream() -> impl Iterator<Item = &'static str> {
    sslinv_datasets::DATASETS
        .iter()
        .copied()
        .filter(|d| *d != IMAGENET_VAL)
}

/// Datasets whose latents the extrinsic step regresses.
pub const EXTRINSIC: &[&str] = &["causal3dident"];

/// What the survey found for one dataset.
#[derive(Debug, Clone)]
pub struct DataStatus {
    /// Dataset name.
    pub name: String,
    /// Whether it loads.
    pub present: bool,
    /// Counts when present, the cause otherwise.
    pub detail: String,
}

/// The folder a dataset lives in under the data root (ALOI / ALOT modes and both Causal3DIdent
/// views share one folder).
pub fn dataset_dir(root: &Path, name: &str) -> PathBuf {
    let folder = match name {
        IMAGENET_TRAIN => return root.join("imagenet").join("train"),
        n if n.starts_with("aloi-") => "aloi",
        n if n.starts_with("alot-") => "alot",
        "causal3dident-class" => "causal3dident",
        n => n,
    };
    root.join(folder)
}

/// Checks one dataset's folder without decoding images (annotations and file lists only).
pub fn probe_dataset(root: &Path, name: &str) -> DataStatus {
    let dir = dataset_dir(root, name);
    let (present, detail) = if name == IMAGENET_TRAIN {
        match sslinv_datasets::loaders::image_folder::scan(&dir) {
            Ok((items, _, classes)) if !items.is_empty() => (
                true,
                format!("{} images in {} classes", items.len(), classes.len()),
            ),
            Ok(_) => (false, format!("no images under {}", dir.display())),
            Err(e) => (false, e.to_string()),
        }
    } else {
        match check(name, &dir, CheckOptions::default()) {
            Ok(r) if r.errors.is_empty() && (!r.splits.is_empty() || r.groups.is_some()) => {
                let counts: Vec<String> = r
                    .splits
                    .iter()
                    .map(|s| format!("{} {}", s.split, s.count))
                    .chain(r.groups.iter().map(|g| format!("{} groups", g.count)))
                    .collect();
                (true, counts.join(", "))
            }
            Ok(r) if !r.errors.is_empty() => (false, r.errors.join("; ")),
            Ok(_) => (false, format!("nothing found under {}", dir.display())),
            Err(e) => (false, e.to_string()),
        }
    };
    DataStatus {
        name: name.to_string(),
        present,
        detail,
    }
}

/// Surveys `names`; with `fetch_missing`, downloads absent ones that have a Hub copy first.
pub fn survey(root: &Path, names: &[String], fetch_missing: bool) -> Vec<DataStatus> {
    names
        .iter()
        .map(|name| {
            let status = probe_dataset(root, name);
            if status.present || !fetch_missing || hub_source(name).is_none() {
                return status;
            }
            let dir = dataset_dir(root, name);
            println!("fetching `{name}` into {}", dir.display());
            match fetch(name, &dir, true) {
                Ok(_) => probe_dataset(root, name),
                Err(e) => DataStatus {
                    detail: format!("fetch failed: {e}"),
                    ..status
                },
            }
        })
        .collect()
}

/// Where to get a missing dataset, in one line.
pub fn how_to_get(name: &str) -> String {
    if name == IMAGENET_TRAIN {
        return "ImageNet train (image-net.org, ILSVRC2012_img_train.tar) as DATA/imagenet/train/<wnid>/*.JPEG".into();
    }
    let hub = if hub_source(name).is_some() {
        "`--fetch` downloads it; or: "
    } else {
        ""
    };
    match sslinv_datasets::layout_help(name) {
        Ok(help) => format!("{hub}{help}"),
        Err(e) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_root_has_nothing_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "imagenet",
            IMAGENET_TRAIN,
            "coil100",
            "cifar10",
            "aloi-viewpoint",
        ] {
            let s = probe_dataset(dir.path(), name);
            assert!(!s.present, "{name}");
            assert!(!s.detail.is_empty(), "{name}");
        }
    }

    #[test]
    fn an_image_folder_counts_as_imagenet_train() {
        let dir = tempfile::tempdir().unwrap();
        let class = dir.path().join("imagenet/train/n01440764");
        std::fs::create_dir_all(&class).unwrap();
        image::RgbImage::new(8, 8)
            .save(class.join("a.png"))
            .unwrap();
        let s = probe_dataset(dir.path(), IMAGENET_TRAIN);
        assert!(s.present, "{}", s.detail);
    }
}
