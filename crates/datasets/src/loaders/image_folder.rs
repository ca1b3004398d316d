//! ImageFolder: `<root>/<class>/<image>`, classes and files in sorted (byte) order, as torchvision.

use std::path::Path;

use crate::error::{DatasetError, Result};
use crate::fsutil;
use crate::image_set::{ImageSet, Item};
use crate::split::Split;
use crate::target::Targets;

/// The extensions torchvision's ImageFolder accepts that our decoders read.
pub const IMAGE_EXTS: &[&str] = &[
    "jpg", "jpeg", "png", "ppm", "bmp", "pgm", "tif", "tiff", "webp",
];

/// Loads `<dir>/<class>/*.{jpg,png,...}` with class ids from the sorted class folder names.
pub fn image_folder(name: &str, dir: &Path, split: Split) -> Result<ImageSet> {
    let (items, ids, classes) = scan(dir)?;
    ImageSet::new(
        name,
        split,
        items,
        Targets::Classes {
            ids,
            count: classes.len(),
        },
    )
}

/// Lists the class folders and their images: (items, class id per item, class names).
pub fn scan(dir: &Path) -> Result<(Vec<Item>, Vec<i64>, Vec<String>)> {
    let classes = fsutil::subdirs(dir)?;
    if classes.is_empty() {
        return Err(DatasetError::missing(
            dir,
            "class folders (ImageFolder layout `<class>/<image>`)",
        ));
    }
    let mut items = Vec::new();
    let mut ids = Vec::new();
    let mut names = Vec::new();
    for (c, class_dir) in classes.iter().enumerate() {
        names.push(fsutil::file_name(class_dir));
        let files = fsutil::files_with_ext(class_dir, IMAGE_EXTS)?;
        if files.is_empty() {
            // torchvision's ImageFolder refuses this too: a class with no images cannot be learnt
            // and usually means an unfinished download.
            return Err(DatasetError::format(
                class_dir,
                format!("class folder holds no images ({})", IMAGE_EXTS.join(", ")),
            ));
        }
        for path in files {
            items.push(Item::file(path));
            ids.push(c as i64);
        }
    }
    Ok((items, ids, names))
}

/// ImageNet validation: `<root>/val/<wnid>/*.JPEG` (or `<root>/<wnid>/*.JPEG`); only the val split exists.
pub fn imagenet_val(root: &Path, split: Split) -> Result<ImageSet> {
    if !matches!(split, Split::Val | Split::All | Split::Test) {
        return Err(DatasetError::UnknownSplit {
            dataset: "imagenet".into(),
            split: split.name().into(),
            known: "val".into(),
        });
    }
    let dir = if root.join("val").is_dir() {
        root.join("val")
    } else {
        root.to_path_buf()
    };
    image_folder("imagenet", &dir, Split::Val)
}
