//! The `Dataset` trait: images decoded lazily (and in parallel) with their targets.

use image::RgbImage;
use rayon::prelude::*;

use crate::error::Result;
use crate::split::Split;
use crate::target::{Target, TargetKind, Targets};

/// A list of images with targets; images are decoded only when asked for.
pub trait Dataset: Send + Sync {
    /// The dataset's registry name (e.g. `flowers102`).
    fn name(&self) -> &str;
    /// The split these images belong to.
    fn split(&self) -> Split;
    /// Number of images.
    fn len(&self) -> usize;
    /// True when there are no images.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Decodes image `i` (8-bit RGB, after any crop the dataset's convention prescribes).
    fn image(&self, i: usize) -> Result<RgbImage>;
    /// The target of image `i` (panics when `i >= len()`, as slice indexing).
    fn target(&self, i: usize) -> Target;
    /// The kind and shape of the targets.
    fn target_kind(&self) -> TargetKind;
    /// All targets, in image order.
    fn targets(&self) -> Targets;
    /// Where image `i` comes from (a path or `file#row`), for reports and errors.
    fn origin(&self, i: usize) -> String;
    /// View groups (image indices per group) for view-group datasets; empty otherwise.
    fn groups(&self) -> Vec<Vec<usize>> {
        Vec::new()
    }
    /// Decodes the images at `indices` in parallel, in that order; fails on the first unreadable one.
    fn images(&self, indices: &[usize]) -> Result<Vec<RgbImage>> {
        indices.par_iter().map(|&i| self.image(i)).collect()
    }
}
