//! Oxford Flowers102: `jpg/image_%05d.jpg`, `imagelabels.mat` (`labels`, 1-based), `setid.mat`
//! (`trnid`, `valid`, `tstid`, 1-based image numbers). Class ids are labels - 1.

use std::path::Path;

use crate::binfmt::read_mat;
use crate::error::{DatasetError, Result};
use crate::image_set::{ImageSet, Item};
use crate::split::Split;
use crate::target::Targets;

/// Loads a Flowers102 split, images in the order `setid.mat` lists them.
pub fn load(root: &Path, split: Split) -> Result<ImageSet> {
    let base = crate::fsutil::find_base(root, "imagelabels.mat");
    let root = base.as_path();
    let labels_path = root.join("imagelabels.mat");
    let labels = read_mat(&labels_path, "labels")?.values;
    let numbers: Vec<f64> = match split {
        Split::All => (1..=labels.len()).map(|i| i as f64).collect(),
        _ => {
            let var = match split {
                Split::Train => "trnid",
                Split::Val => "valid",
                _ => "tstid",
            };
            read_mat(&root.join("setid.mat"), var)?.values
        }
    };
    let mut items = Vec::with_capacity(numbers.len());
    let mut ids = Vec::with_capacity(numbers.len());
    for (k, &n) in numbers.iter().enumerate() {
        if n.fract() != 0.0 || n < 1.0 || n as usize > labels.len() {
            return Err(DatasetError::format(
                root.join("setid.mat"),
                format!(
                    "entry {k} is {n}, want an image number in 1..={}",
                    labels.len()
                ),
            ));
        }
        let label = labels[n as usize - 1];
        if label.fract() != 0.0 || !(1.0..=102.0).contains(&label) {
            return Err(DatasetError::format(
                &labels_path,
                format!("label of image {n} is {label}, want 1..=102"),
            ));
        }
        items.push(Item::file(
            root.join("jpg")
                .join(format!("image_{:05}.jpg", n as usize)),
        ));
        ids.push(label as i64 - 1);
    }
    ImageSet::new(
        "flowers102",
        split,
        items,
        Targets::Classes { ids, count: 102 },
    )
}
