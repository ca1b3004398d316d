//! Image lists the steps read a batch at a time: rendered synth3d images held in memory, or
//! dataset files decoded on demand (memory bounded by the batch, not the dataset).

use image::RgbImage;
use rayon::prelude::*;
use sslinv_datasets::Dataset;

use crate::error::Result;

/// A list of images decoded on demand.
pub trait Images: Send + Sync {
    /// Number of images.
    fn len(&self) -> usize;
    /// True when there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Image `i`, decoded.
    fn get(&self, i: usize) -> Result<RgbImage>;
    /// Images `range`, decoded in parallel, in order.
    fn batch(&self, range: std::ops::Range<usize>) -> Result<Vec<RgbImage>> {
        range.into_par_iter().map(|i| self.get(i)).collect()
    }
}

/// Images of one or more dataset splits, as (split, index) pairs in a fixed order.
pub struct DatasetImages {
    /// The splits.
    pub sets: Vec<Box<dyn Dataset>>,
    /// Which image of which split, in order.
    pub refs: Vec<(usize, usize)>,
}

impl DatasetImages {
    /// Every image of `sets`, or a seeded subset of at most `cap` of them (sorted).
    pub fn new(sets: Vec<Box<dyn Dataset>>, cap: Option<usize>, seed: u64) -> Self {
        let all: Vec<(usize, usize)> = sets
            .iter()
            .enumerate()
            .flat_map(|(s, set)| (0..set.len()).map(move |i| (s, i)))
            .collect();
        let refs = crate::subset::subset(all.len(), cap, seed)
            .into_iter()
            .map(|i| all[i])
            .collect();
        Self { sets, refs }
    }

    /// The images at `index` of one split.
    pub fn of(set: Box<dyn Dataset>, index: Vec<usize>) -> Self {
        Self {
            refs: index.into_iter().map(|i| (0, i)).collect(),
            sets: vec![set],
        }
    }
}

impl Images for DatasetImages {
    fn len(&self) -> usize {
        self.refs.len()
    }

    fn get(&self, i: usize) -> Result<RgbImage> {
        let (s, k) = self.refs[i];
        Ok(self.sets[s].image(k)?)
    }
}

/// Image files decoded on demand.
pub struct FileImages {
    /// The files, in order.
    pub paths: Vec<std::path::PathBuf>,
}

impl Images for FileImages {
    fn len(&self) -> usize {
        self.paths.len()
    }

    fn get(&self, i: usize) -> Result<RgbImage> {
        Ok(sslinv_datasets::source::decode_file(&self.paths[i])?)
    }
}
