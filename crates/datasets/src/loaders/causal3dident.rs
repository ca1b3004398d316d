//! Causal3DIdent: `trainset/` and `testset/`, each an ImageFolder of 7 classes (`images_*` folders or
//! any class folders) with `latents_{0..6}.npy` (rows = that class's images in sorted order, 10 latents).

use std::path::Path;

use crate::binfmt::read_npy;
use crate::error::{DatasetError, Result};
use crate::image_set::ImageSet;
use crate::loaders::image_folder;
use crate::split::Split;
use crate::target::Targets;

/// Latent values per image.
pub const LATENTS: usize = 10;
/// Object classes.
pub const CLASSES: usize = 7;

fn split_dir(root: &Path, split: Split) -> Result<std::path::PathBuf> {
    match split {
        Split::Train => Ok(root.join("trainset")),
        Split::Test => Ok(root.join("testset")),
        _ => Err(DatasetError::UnknownSplit {
            dataset: "causal3dident".into(),
            split: split.name().into(),
            known: "train, test".into(),
        }),
    }
}

/// Loads a split; `latent_targets` picks the 10 latents (true) or the class id (false) as targets.
pub fn load(root: &Path, split: Split, latent_targets: bool) -> Result<ImageSet> {
    let dir = split_dir(&crate::fsutil::find_base(root, "trainset"), split)?;
    if !latent_targets {
        return image_folder::image_folder("causal3dident-class", &dir, split);
    }
    let (items, ids, classes) = image_folder::scan(&dir)?;
    let mut values = Vec::with_capacity(items.len() * LATENTS);
    for (c, class) in classes.iter().enumerate() {
        let path = dir.join(format!("latents_{c}.npy"));
        let arr = read_npy(&path)?;
        let members = ids.iter().filter(|&&i| i == c as i64).count();
        if arr.shape.len() != 2 || arr.shape[1] != LATENTS || arr.shape[0] != members {
            return Err(DatasetError::format(
                &path,
                format!(
                    "shape {:?}, want [{members}, {LATENTS}] (one row per image of class folder `{}`)",
                    arr.shape, class
                ),
            ));
        }
        for r in 0..members {
            for k in 0..LATENTS {
                values.push(arr.at(&[r, k]) as f32);
            }
        }
    }
    ImageSet::new(
        "causal3dident",
        split,
        items,
        Targets::Values {
            values,
            dim: LATENTS,
        },
    )
}
