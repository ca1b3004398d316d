//! Oxford Flowers102: `jpg/image_%05d.jpg`, `imagelabels.mat` (`labels`, 1-based), `setid.mat`
//! (`trnid`, `valid`, `tstid`, 1-based image numbers). Class ids are labels - 1.

use std::path::Path;

use crate::binfmt::{NumArray, read_mat};
use crate::error::{DatasetError, Result};
use crate::image_set::{ImageSet, Item};
use crate::split::Split;
use crate::target::Targets;

/// The values of a 1 x N or N x 1 variable (MATLAB saves vectors as matrices); other shapes are an error
/// naming the file, the variable and its shape.
fn vector(path: &Path, var: &str, array: NumArray) -> Result<Vec<f64>> {
    if array.shape.iter().filter(|&&d| d > 1).count() > 1 {
        return Err(DatasetError::format(
            path,
            format!("`{var}` has shape {:?}, want a vector (1 x N)", array.shape),
        ));
    }
    Ok(array.values)
}

/// Loads a Flowers102 split, images in the order `setid.mat` lists them.
pub fn load(root: &Path, split: Split) -> Result<ImageSet> {
    let base = crate::fsutil::find_base(root, "imagelabels.mat");
    let root = base.as_path();
    let labels_path = root.join("imagelabels.mat");
    let labels = vector(&labels_path, "labels", read_mat(&labels_path, "labels")?)?;
    let numbers: Vec<f64> = match split {
        Split::All => (1..=labels.len()).map(|i| i as f64).collect(),
        _ => {
            let var = match split {
                Split::Train => "trnid",
                Split::Val => "valid",
                _ => "tstid",
            };
            let setid = root.join("setid.mat");
            vector(&setid, var, read_mat(&setid, var)?)?
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
