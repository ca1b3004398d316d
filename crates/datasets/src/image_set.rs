//! `ImageSet`: the one concrete `Dataset` every loader builds.

use image::RgbImage;

use crate::crop::CropBox;
use crate::dataset::Dataset;
use crate::error::{DatasetError, Result};
use crate::source::ImageSource;
use crate::split::Split;
use crate::target::{Target, TargetKind, Targets};

/// One image: where its pixels are and which crop the dataset's convention applies.
#[derive(Debug, Clone)]
pub struct Item {
    /// The pixels.
    pub source: ImageSource,
    /// A square crop to cut after decoding (300W's landmark box, LSP's centre square).
    pub crop: Option<CropBox>,
}

impl Item {
    /// An uncropped image file.
    pub fn file(path: impl Into<std::path::PathBuf>) -> Item {
        Item {
            source: ImageSource::File(path.into()),
            crop: None,
        }
    }
}

/// Images with targets; what every loader returns.
#[derive(Debug, Clone)]
pub struct ImageSet {
    name: String,
    split: Split,
    items: Vec<Item>,
    targets: Targets,
    groups: Vec<Vec<usize>>,
}

impl ImageSet {
    /// Builds a set; `targets` must describe exactly `items.len()` images.
    pub fn new(name: &str, split: Split, items: Vec<Item>, targets: Targets) -> Result<ImageSet> {
        if targets.len() != items.len() {
            return Err(DatasetError::Unsupported(format!(
                "{name}: {} images but {} targets",
                items.len(),
                targets.len()
            )));
        }
        Ok(ImageSet {
            name: name.to_string(),
            split,
            items,
            targets,
            groups: Vec::new(),
        })
    }

    /// Attaches view groups (image indices per group).
    pub fn with_groups(mut self, groups: Vec<Vec<usize>>) -> ImageSet {
        self.groups = groups;
        self
    }

    /// The images.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The subset at `indices`, in that order (groups are dropped).
    pub fn select(&self, split: Split, indices: &[usize]) -> ImageSet {
        ImageSet {
            name: self.name.clone(),
            split,
            items: indices.iter().map(|&i| self.items[i].clone()).collect(),
            targets: self.targets.select(indices),
            groups: Vec::new(),
        }
    }
}

impl Dataset for ImageSet {
    fn name(&self) -> &str {
        &self.name
    }

    fn split(&self) -> Split {
        self.split
    }

    fn len(&self) -> usize {
        self.items.len()
    }

    fn image(&self, i: usize) -> Result<RgbImage> {
        let item = self.items.get(i).ok_or_else(|| DatasetError::OutOfRange {
            dataset: self.name.clone(),
            index: i,
            len: self.items.len(),
        })?;
        let image = item.source.decode()?;
        Ok(match item.crop {
            Some(crop) => crop.apply(&image),
            None => image,
        })
    }

    fn target(&self, i: usize) -> Target {
        self.targets.get(i)
    }

    fn target_kind(&self) -> TargetKind {
        self.targets.kind()
    }

    fn targets(&self) -> Targets {
        self.targets.clone()
    }

    fn origin(&self, i: usize) -> String {
        self.items
            .get(i)
            .map(|it| it.source.origin())
            .unwrap_or_default()
    }

    fn groups(&self) -> Vec<Vec<usize>> {
        self.groups.clone()
    }
}
