//! Leeds Sports Pose: `images/im0001.jpg ...`, `joints.mat` (`joints`, 3 x 14 x N: x, y, visibility).
//!
//! As the paper: the centred square of side min(w, h) is cut out and the 14 joints are given in the 224
//! frame of that square resized; splits are the paper's seeded permutation cut 60/40 into train/test.

use std::path::Path;

use rayon::prelude::*;

use crate::binfmt::read_mat;
use crate::crop::CropBox;
use crate::error::{DatasetError, Result};
use crate::fsutil;
use crate::image_set::{ImageSet, Item};
use crate::source::{ImageSource, image_size};
use crate::split::Split;
use crate::splits::{Shipped, cut, paper_permutation};
use crate::target::Targets;

/// Joints per person.
pub const JOINTS: usize = 14;

/// Joints (x, y) of an image of size `width` x `height`, in the 224 frame of its centre square.
pub fn to_frame(joints: &[[f64; 2]], width: u32, height: u32) -> (CropBox, Vec<f32>) {
    let crop = CropBox::centre(width, height);
    let side = crop.width.max(1) as f64;
    let t = joints
        .iter()
        .flat_map(|j| {
            [
                ((j[0] - crop.left as f64) / side * 224.0) as f32,
                ((j[1] - crop.top as f64) / side * 224.0) as f32,
            ]
        })
        .collect();
    (crop, t)
}

/// Loads an LSP split (targets: 28 values, 14 (x, y) joints in the 224 frame).
pub fn load(root: &Path, split: Split) -> Result<ImageSet> {
    let base = fsutil::find_base(root, "joints.mat");
    let root = base.as_path();
    let images = fsutil::files_with_ext(&root.join("images"), &["jpg"])?;
    let mat_path = root.join("joints.mat");
    let joints = read_mat(&mat_path, "joints")?;
    if joints.shape.len() != 3 || joints.shape[0] != 3 || joints.shape[1] != JOINTS {
        return Err(DatasetError::format(
            &mat_path,
            format!("`joints` has shape {:?}, want [3, 14, N]", joints.shape),
        ));
    }
    let n = joints.shape[2];
    if n != images.len() {
        return Err(DatasetError::format(
            &mat_path,
            format!("joints for {n} images but images/ holds {}", images.len()),
        ));
    }
    // The crop depends on each image's size: read it from the headers, in parallel.
    let sizes: Vec<(u32, u32)> = images
        .par_iter()
        .map(|p| image_size(p))
        .collect::<Result<_>>()?;
    let mut items = Vec::with_capacity(n);
    let mut values = Vec::with_capacity(n * 2 * JOINTS);
    for (i, path) in images.into_iter().enumerate() {
        let pts: Vec<[f64; 2]> = (0..JOINTS)
            .map(|j| [joints.at(&[0, j, i]), joints.at(&[1, j, i])])
            .collect();
        let (crop, t) = to_frame(&pts, sizes[i].0, sizes[i].1);
        items.push(Item {
            source: ImageSource::File(path),
            crop: Some(crop),
        });
        values.extend(t);
    }
    let all = ImageSet::new(
        "lsp",
        Split::All,
        items,
        Targets::Values {
            values,
            dim: 2 * JOINTS,
        },
    )?;
    let (perm, _) = paper_permutation(Shipped::Lsp, n);
    let parts = cut(&perm, &[0.6, 0.4]);
    Ok(match split {
        Split::All => all,
        Split::Train => all.select(split, &parts[0]),
        Split::Test => all.select(split, &parts[1]),
        Split::Val => {
            return Err(DatasetError::UnknownSplit {
                dataset: "lsp".into(),
                split: "val".into(),
                known: "train, test, all".into(),
            });
        }
    })
}
