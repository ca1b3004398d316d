//! What a dataset's images are labelled with.

use serde::Serialize;

/// The target of one image.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A class id in `0..classes`.
    Class(i64),
    /// A regression target of the dataset's fixed dimension (landmarks in 224-pixel coordinates, latents).
    Values(Vec<f32>),
    /// The id of the view group the image belongs to.
    Group(usize),
}

/// The kind and shape of a dataset's targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TargetKind {
    /// Class ids in `0..count`.
    Classes {
        /// Number of classes.
        count: usize,
    },
    /// Regression targets with `dim` values per image.
    Regression {
        /// Values per image.
        dim: usize,
    },
    /// View-group ids in `0..count`.
    Groups {
        /// Number of groups.
        count: usize,
    },
}

/// The targets of a whole dataset, stored compactly.
#[derive(Debug, Clone, PartialEq)]
pub enum Targets {
    /// One class id per image and the number of classes.
    Classes {
        /// Class id per image.
        ids: Vec<i64>,
        /// Number of classes.
        count: usize,
    },
    /// Row-major N x dim regression targets.
    Values {
        /// N * dim values.
        values: Vec<f32>,
        /// Values per image.
        dim: usize,
    },
    /// One group id per image and the number of groups.
    Groups {
        /// Group id per image.
        ids: Vec<usize>,
        /// Number of groups.
        count: usize,
    },
}

impl Targets {
    /// Number of images the targets describe.
    pub fn len(&self) -> usize {
        match self {
            Targets::Classes { ids, .. } => ids.len(),
            Targets::Values { values, dim } => values.len().checked_div(*dim).unwrap_or(0),
            Targets::Groups { ids, .. } => ids.len(),
        }
    }

    /// True when there are no targets.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The target of image `i` (`i` must be in range).
    pub fn get(&self, i: usize) -> Target {
        match self {
            Targets::Classes { ids, .. } => Target::Class(ids[i]),
            Targets::Values { values, dim } => {
                Target::Values(values[i * dim..(i + 1) * dim].to_vec())
            }
            Targets::Groups { ids, .. } => Target::Group(ids[i]),
        }
    }

    /// The kind and shape of these targets.
    pub fn kind(&self) -> TargetKind {
        match self {
            Targets::Classes { count, .. } => TargetKind::Classes { count: *count },
            Targets::Values { dim, .. } => TargetKind::Regression { dim: *dim },
            Targets::Groups { count, .. } => TargetKind::Groups { count: *count },
        }
    }

    /// The targets of the images at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Targets {
        match self {
            Targets::Classes { ids, count } => Targets::Classes {
                ids: indices.iter().map(|&i| ids[i]).collect(),
                count: *count,
            },
            Targets::Values { values, dim } => Targets::Values {
                values: indices
                    .iter()
                    .flat_map(|&i| values[i * dim..(i + 1) * dim].iter().copied())
                    .collect(),
                dim: *dim,
            },
            Targets::Groups { ids, count } => Targets::Groups {
                ids: indices.iter().map(|&i| ids[i]).collect(),
                count: *count,
            },
        }
    }
}
