//! Dataset names and the `open` / `open_views` entry points.

use std::path::Path;

use crate::dataset::Dataset;
use crate::error::{DatasetError, Result};
use crate::loaders::{
    caltech101, causal3dident, celeba, cifar10, cifar10_parquet, flowers102, image_folder, lsp,
    w300,
};
use crate::split::Split;
use crate::views::{ViewGroups, aloi, alot, coil100, dali, exposure_errors, flickr1024, real_blur};

/// Datasets with per-image targets (classes or regression).
pub const DATASETS: &[&str] = &[
    "imagenet",
    "cifar10",
    "caltech101",
    "flowers102",
    "300w",
    "celeba",
    "lsp",
    "causal3dident",
    "causal3dident-class",
];

/// Datasets of view groups (real-world invariance).
pub const VIEW_DATASETS: &[&str] = &[
    "coil100",
    "aloi-viewpoint",
    "aloi-illumination",
    "aloi-temperature",
    "alot-viewpoint",
    "alot-illumination",
    "alot-temperature",
    "exposure-errors",
    "dali",
    "flickr1024",
    "realblur",
];

/// The canonical registry name of `name` (case, `_`/`-` and common aliases forgiven).
pub fn canonical(name: &str) -> Result<&'static str> {
    let n = name.trim().to_ascii_lowercase().replace('_', "-");
    let n = match n.as_str() {
        "imagenet-val" | "imagenet1k" => "imagenet",
        "cifar-10" => "cifar10",
        "caltech-101" => "caltech101",
        "flowers" | "flowers-102" | "oxford-flowers" => "flowers102",
        "300-w" | "faces-in-the-wild-300w" => "300w",
        "leeds-sports-pose" | "leedssportspose" => "lsp",
        "coil-100" => "coil100",
        "exposureerrors" => "exposure-errors",
        "causal-3d-ident" => "causal3dident",
        "real-blur" => "realblur",
        other => other,
    };
    DATASETS
        .iter()
        .chain(VIEW_DATASETS)
        .find(|d| **d == n)
        .copied()
        .ok_or_else(|| DatasetError::UnknownDataset {
            name: name.into(),
            known: DATASETS
                .iter()
                .chain(VIEW_DATASETS)
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// True when `name` is a view-group dataset.
pub fn is_view_dataset(name: &str) -> bool {
    canonical(name).is_ok_and(|n| VIEW_DATASETS.contains(&n))
}

/// The splits a dataset defines (view-group datasets: `All`).
pub fn splits_of(name: &str) -> Result<&'static [Split]> {
    Ok(match canonical(name)? {
        "imagenet" => &[Split::Val],
        "flowers102" | "300w" | "celeba" => &[Split::Train, Split::Val, Split::Test],
        "cifar10" | "caltech101" | "lsp" | "causal3dident" | "causal3dident-class" => {
            &[Split::Train, Split::Test]
        }
        _ => &[Split::All],
    })
}

/// Opens one split of a dataset from its real layout under `root`.
///
/// View-group datasets open as one set of all views with group ids as targets (`split` must be `All`).
pub fn open(name: &str, root: &Path, split: Split) -> Result<Box<dyn Dataset>> {
    let name = canonical(name)?;
    let set = match name {
        "imagenet" => image_folder::imagenet_val(root, split)?,
        "cifar10" => {
            let pickle_dir = cifar10::batches_dir(root);
            if pickle_dir.join("test_batch").exists() || pickle_dir.join("data_batch_1").exists() {
                cifar10::load(root, split)?
            } else {
                cifar10_parquet::load(root, split)?
            }
        }
        "caltech101" => caltech101::load(root, split)?,
        "flowers102" => flowers102::load(root, split)?,
        "300w" => w300::load(root, split)?,
        "celeba" => celeba::load(root, split)?,
        "lsp" => lsp::load(root, split)?,
        "causal3dident" => causal3dident::load(root, split, true)?,
        "causal3dident-class" => causal3dident::load(root, split, false)?,
        views => {
            if split != Split::All {
                return Err(DatasetError::UnknownSplit {
                    dataset: views.into(),
                    split: split.name().into(),
                    known: "all".into(),
                });
            }
            open_views(views, root)?.to_dataset()
        }
    };
    Ok(Box::new(set))
}

/// Opens the view groups of a real-world invariance dataset.
pub fn open_views(name: &str, root: &Path) -> Result<ViewGroups> {
    let canon = canonical(name)?;
    match canon {
        "coil100" => coil100::open(root),
        "aloi-viewpoint" => aloi::open(root, aloi::AloiMode::Viewpoint),
        "aloi-illumination" => aloi::open(root, aloi::AloiMode::Illumination),
        "aloi-temperature" => aloi::open(root, aloi::AloiMode::Temperature),
        "alot-viewpoint" => alot::open(root, alot::AlotMode::Viewpoint),
        "alot-illumination" => alot::open(root, alot::AlotMode::Illumination),
        "alot-temperature" => alot::open(root, alot::AlotMode::Temperature),
        "exposure-errors" => exposure_errors::open(root),
        "dali" => dali::open(root),
        "flickr1024" => flickr1024::open(root),
        "realblur" => real_blur::open(root),
        other => Err(DatasetError::UnknownDataset {
            name: other.into(),
            known: VIEW_DATASETS.join(", "),
        }),
    }
}
