//! View groups for real-world invariance: several images of one object or scene under a changing factor.

pub mod aloi;
pub mod alot;
pub mod coil100;
pub mod dali;
pub mod exposure_errors;
pub mod flickr1024;
mod pairs_parquet;
pub mod real_blur;

use std::collections::BTreeMap;
use std::path::PathBuf;

use image::RgbImage;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{DatasetError, Result};
use crate::image_set::{ImageSet, Item};
use crate::source::decode_file;
use crate::split::Split;
use crate::target::Targets;

/// The images of one object (or scene) under the varied factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViewGroup {
    /// A stable id naming the object and fixed factors (e.g. `obj7`, `12/c2`).
    pub id: String,
    /// The views, sorted.
    pub paths: Vec<PathBuf>,
}

/// All view groups of a dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViewGroups {
    /// Registry name (e.g. `coil100`, `aloi-illumination`).
    pub name: String,
    /// The groups, in a stable order.
    pub groups: Vec<ViewGroup>,
}

impl ViewGroups {
    /// Builds the groups from `(key, path)` pairs; groups follow the key order, paths are sorted.
    pub fn from_keyed<K: Ord + std::fmt::Display>(
        name: &str,
        keyed: impl IntoIterator<Item = (K, PathBuf)>,
    ) -> Result<ViewGroups> {
        Self::from_ranked(name, keyed.into_iter().map(|(k, p)| ((k, ()), p)))
    }

    /// Builds the groups from `((key, rank), path)` triples: groups follow the key order, the
    /// views of a group the rank order (the reference view first, or by angle), then the path.
    pub fn from_ranked<K: Ord + std::fmt::Display, R: Ord>(
        name: &str,
        ranked: impl IntoIterator<Item = ((K, R), PathBuf)>,
    ) -> Result<ViewGroups> {
        let mut map: BTreeMap<K, Vec<(R, PathBuf)>> = BTreeMap::new();
        for ((k, r), p) in ranked {
            map.entry(k).or_default().push((r, p));
        }
        let groups: Vec<ViewGroup> = map
            .into_iter()
            .map(|(k, mut views)| {
                views.sort();
                ViewGroup {
                    id: k.to_string(),
                    paths: views.into_iter().map(|(_, p)| p).collect(),
                }
            })
            .collect();
        if groups.is_empty() {
            return Err(DatasetError::Unsupported(format!(
                "{name}: no view groups found (check --root and the layout)"
            )));
        }
        Ok(ViewGroups {
            name: name.into(),
            groups,
        })
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// True when there are no groups.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Views per group.
    pub fn sizes(&self) -> Vec<usize> {
        self.groups.iter().map(|g| g.paths.len()).collect()
    }

    /// Total number of images over all groups.
    pub fn total_images(&self) -> usize {
        self.groups.iter().map(|g| g.paths.len()).sum()
    }

    /// Decodes the views of group `g` in parallel.
    pub fn load_group(&self, g: usize) -> Result<Vec<RgbImage>> {
        let group = self.groups.get(g).ok_or_else(|| DatasetError::OutOfRange {
            dataset: self.name.clone(),
            index: g,
            len: self.groups.len(),
        })?;
        group.paths.par_iter().map(|p| decode_file(p)).collect()
    }

    /// All views as one dataset whose targets are group ids (group order, then view order).
    pub fn to_dataset(&self) -> ImageSet {
        let mut items = Vec::with_capacity(self.total_images());
        let mut ids = Vec::with_capacity(self.total_images());
        let mut index_groups = Vec::with_capacity(self.groups.len());
        for (g, group) in self.groups.iter().enumerate() {
            let start = items.len();
            for p in &group.paths {
                items.push(Item::file(p.clone()));
                ids.push(g);
            }
            index_groups.push((start..items.len()).collect());
        }
        let count = self.groups.len();
        ImageSet::new(
            &self.name,
            Split::All,
            items,
            Targets::Groups { ids, count },
        )
        .map(|s| s.with_groups(index_groups))
        .unwrap_or_else(|_| unreachable!("one target per item by construction"))
    }
}
