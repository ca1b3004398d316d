//! A user's own classification data in torchvision's ImageFolder layout, one folder per split:
//! `<root>/train/<class>/*`, `<root>/test/<class>/*` and, when present, `<root>/val/<class>/*`.
//! Class ids come from the sorted training class names, so every split agrees on them.

use std::path::Path;

use rayon::prelude::*;

use crate::dataset::Dataset;
use crate::error::{DatasetError, Result};
use crate::fsutil;
use crate::image_set::{ImageSet, Item};
use crate::loaders::image_folder::IMAGE_EXTS;
use crate::split::Split;
use crate::target::Targets;

/// The splits of a folder dataset.
#[derive(Debug, Clone)]
pub struct FolderDataset {
    /// Class names (the training sub-folders), sorted; a class id indexes this list.
    pub classes: Vec<String>,
    /// `train/`.
    pub train: ImageSet,
    /// `test/`.
    pub test: ImageSet,
    /// `val/`, when the root has one.
    pub val: Option<ImageSet>,
}

impl FolderDataset {
    /// The training images followed by the validation images (when there are any), and the
    /// number of validation images at the end: what a probe that selects on `val/` needs.
    pub fn train_then_val(&self) -> Result<(ImageSet, usize)> {
        let Some(val) = &self.val else {
            return Ok((self.train.clone(), 0));
        };
        let items: Vec<Item> = self
            .train
            .items()
            .iter()
            .chain(val.items())
            .cloned()
            .collect();
        let ids = [self.train.targets(), val.targets()]
            .into_iter()
            .flat_map(|t| match t {
                Targets::Classes { ids, .. } => ids,
                _ => Vec::new(),
            })
            .collect();
        let set = ImageSet::new(
            "folder",
            Split::Train,
            items,
            Targets::Classes {
                ids,
                count: self.classes.len(),
            },
        )?;
        Ok((set, val.items().len()))
    }
}

/// Opens `<root>/{train,test[,val]}/<class>/*`. Errors name the offending path: a missing
/// split folder, a training class without images, a test (or val) class without images or
/// unknown to train, a training class absent from test, and a file whose header does not read
/// as an image.
pub fn open_folder(root: &Path) -> Result<FolderDataset> {
    let train_dir = root.join("train");
    fsutil::require(&train_dir, "training split `train/<class>/<image>`")?;
    let test_dir = root.join("test");
    fsutil::require(&test_dir, "test split `test/<class>/<image>`")?;
    let classes: Vec<String> = fsutil::subdirs(&train_dir)?
        .iter()
        .map(|d| fsutil::file_name(d))
        .collect();
    if classes.is_empty() {
        return Err(DatasetError::missing(
            &train_dir,
            "class folders (ImageFolder layout `train/<class>/<image>`)",
        ));
    }
    let train = split_set(&train_dir, Split::Train, &classes, true)?;
    let test = split_set(&test_dir, Split::Test, &classes, true)?;
    let val_dir = root.join("val");
    let val = if val_dir.is_dir() {
        Some(split_set(&val_dir, Split::Val, &classes, false)?)
    } else {
        None
    };
    Ok(FolderDataset {
        classes,
        train,
        test,
        val,
    })
}

/// One split's images with ids from `classes`; `every_class` requires each class to be there.
fn split_set(dir: &Path, split: Split, classes: &[String], every_class: bool) -> Result<ImageSet> {
    for sub in fsutil::subdirs(dir)? {
        let name = fsutil::file_name(&sub);
        if classes.binary_search(&name).is_err() {
            return Err(DatasetError::format(
                &sub,
                format!("class `{name}` has no folder under train/"),
            ));
        }
    }
    let mut items = Vec::new();
    let mut ids = Vec::new();
    for (c, name) in classes.iter().enumerate() {
        let class_dir = dir.join(name);
        if !class_dir.is_dir() {
            if every_class {
                return Err(DatasetError::missing(
                    &class_dir,
                    format!("{split} images of class `{name}`"),
                ));
            }
            continue;
        }
        let files = fsutil::files_with_ext(&class_dir, IMAGE_EXTS)?;
        if files.is_empty() {
            return Err(DatasetError::missing(
                &class_dir,
                format!(
                    "{split} images of class `{name}` (the folder holds no {})",
                    IMAGE_EXTS.join("/")
                ),
            ));
        }
        ids.extend(std::iter::repeat_n(c as i64, files.len()));
        items.extend(files.into_iter().map(Item::file));
    }
    items.par_iter().try_for_each(check_header)?;
    ImageSet::new(
        "folder",
        split,
        items,
        Targets::Classes {
            ids,
            count: classes.len(),
        },
    )
}

/// Reads an image file's header only, so a corrupt or unreadable file fails before any
/// feature extraction starts, naming the file.
fn check_header(item: &Item) -> Result<()> {
    let Some(path) = item.source.path() else {
        return Ok(());
    };
    let reader = image::ImageReader::open(path)
        .map_err(|e| DatasetError::io(path, e))?
        .with_guessed_format()
        .map_err(|e| DatasetError::io(path, e))?;
    reader
        .into_dimensions()
        .map(|_| ())
        .map_err(|e| DatasetError::Image {
            origin: path.display().to_string(),
            reason: e.to_string(),
        })
}
