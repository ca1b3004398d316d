//! synth3d as a study data source: rendered once (cached on disk), held in memory, read by
//! index.

use image::RgbImage;
use sslinv_datasets::synth3d::{GroupKind, Sample, Synth3d};
use std::sync::Arc;

use super::images::Images;
use super::invalid;
use crate::error::Result;

/// Which rendered images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The unlabelled pretraining renders.
    Pretrain,
    /// The probe training samples.
    Train,
    /// The probe test samples.
    Test,
    /// The view groups of one kind, flattened group by group.
    Groups(GroupKind),
}

/// Rendered synth3d images selected by index.
pub struct Synth3dImages {
    data: Arc<Synth3d>,
    part: Part,
    index: Vec<usize>,
}

impl Synth3dImages {
    /// Images `index` of `part`.
    pub fn new(data: Arc<Synth3d>, part: Part, index: Vec<usize>) -> Self {
        Self { data, part, index }
    }

    /// Every image of `part`.
    pub fn all(data: Arc<Synth3d>, part: Part) -> Self {
        let n = part_len(&data, part);
        Self::new(data, part, (0..n).collect())
    }
}

/// Number of images in `part`.
pub fn part_len(data: &Synth3d, part: Part) -> usize {
    match part {
        Part::Pretrain => data.pretrain.len(),
        Part::Train => data.train.len(),
        Part::Test => data.test.len(),
        Part::Groups(kind) => data.groups(kind).iter().map(Vec::len).sum(),
    }
}

pub(super) fn samples(data: &Synth3d, part: Part) -> &[Sample] {
    match part {
        Part::Train => &data.train,
        _ => &data.test,
    }
}

impl Images for Synth3dImages {
    fn len(&self) -> usize {
        self.index.len()
    }

    fn get(&self, i: usize) -> Result<RgbImage> {
        let k = self.index[i];
        Ok(match self.part {
            Part::Pretrain => self.data.pretrain[k].clone(),
            Part::Train | Part::Test => samples(&self.data, self.part)[k].image.clone(),
            Part::Groups(kind) => {
                let per = self.data.config.views_per_group.max(1);
                self.data.groups(kind)[k / per][k % per].clone()
            }
        })
    }
}

/// The probe split named `split` (`train` or `test`).
pub(super) fn synth3d_part(split: &str) -> Result<Part> {
    match split {
        "train" => Ok(Part::Train),
        "test" => Ok(Part::Test),
        other => Err(invalid(format!("unknown split `{other}` (train, test)"))),
    }
}
