//! 300W: `01_Indoor/*.png` and `02_Outdoor/*.png` with `.pts` files of 68 points.
//!
//! As the paper: the image is cropped to the square of side `max(ceil(w), ceil(h))` of the landmark box,
//! anchored at its top-left corner (PIL rounds each edge, so the crop can be one pixel off square;
//! outside the image is black), and the points are given in the 224 x 224 frame of resize(224) +
//! centre-crop(224) of that crop. Splits: the paper's seeded permutation of the 600
//! sorted images cut 30/30/40 into train/val/test.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::crop::CropBox;
use crate::error::{DatasetError, Result};
use crate::fsutil;
use crate::image_set::{ImageSet, Item};
use crate::loaders::pts::read_pts;
use crate::source::ImageSource;
use crate::split::Split;
use crate::splits::{Shipped, cut, paper_permutation};
use crate::target::Targets;

/// Landmarks per face.
pub const POINTS: usize = 68;
/// The side of the frame targets are expressed in.
pub const OUT: f64 = 224.0;

/// The paper's crop for a set of points and the points in the 224 frame (x0, y0, x1, y1, ...).
///
/// The box is PIL's crop of the float square at the landmark box's corner (which can come out one
/// pixel off square); the points follow resize(224) + centre-crop(224) of that crop.
pub fn landmark_crop(points: &[[f64; 2]]) -> (CropBox, Vec<f32>) {
    let (mut x1, mut x2, mut y1, mut y2) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for p in points {
        x1 = x1.min(p[0]);
        x2 = x2.max(p[0]);
        y1 = y1.min(p[1]);
        y2 = y2.max(p[1]);
    }
    let side = (x2 - x1).ceil().max((y2 - y1).ceil()).max(1.0);
    let crop = CropBox::pil(x1, y1, side, side);
    let (w, h) = (crop.width.max(1) as f64, crop.height.max(1) as f64);
    let m = w.min(h);
    let targets = points
        .iter()
        .flat_map(|p| {
            [
                (((p[0] - x1) - (w - m) / 2.0) / m * OUT) as f32,
                (((p[1] - y1) - (h - m) / 2.0) / m * OUT) as f32,
            ]
        })
        .collect();
    (crop, targets)
}

fn list(root: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut images = Vec::new();
    for sub in ["01_Indoor", "02_Outdoor"] {
        let dir = root.join(sub);
        fsutil::require(&dir, "300W folder with `*.png` and `*.pts`")?;
        images.extend(fsutil::files_with_ext(&dir, &["png"])?);
    }
    let points: Vec<PathBuf> = images.iter().map(|p| p.with_extension("pts")).collect();
    if let Some(missing) = points.iter().find(|p| !p.is_file()) {
        return Err(DatasetError::missing(
            missing,
            "the 68 landmarks of the image beside it",
        ));
    }
    Ok((images, points))
}

/// Loads a 300W split (targets: 136 values, 68 (x, y) points in the 224 frame).
pub fn load(root: &Path, split: Split) -> Result<ImageSet> {
    let base = fsutil::find_base(root, "01_Indoor");
    let root = base.as_path();
    let (images, pts_files) = list(root)?;
    let parsed: Vec<(CropBox, Vec<f32>)> = pts_files
        .par_iter()
        .map(|p| {
            let pts = read_pts(p)?;
            if pts.len() != POINTS {
                return Err(DatasetError::format(
                    p,
                    format!("{} points, want {POINTS}", pts.len()),
                ));
            }
            Ok(landmark_crop(&pts))
        })
        .collect::<Result<_>>()?;
    let mut items = Vec::with_capacity(images.len());
    let mut values = Vec::with_capacity(images.len() * 2 * POINTS);
    for (path, (crop, t)) in images.into_iter().zip(parsed) {
        items.push(Item {
            source: ImageSource::File(path),
            crop: Some(crop),
        });
        values.extend(t);
    }
    let n = items.len();
    let all = ImageSet::new(
        "300w",
        Split::All,
        items,
        Targets::Values {
            values,
            dim: 2 * POINTS,
        },
    )?;
    let (perm, _) = paper_permutation(Shipped::W300, n);
    let parts = cut(&perm, &[0.3, 0.3, 0.4]);
    Ok(match split {
        Split::All => all,
        Split::Train => all.select(split, &parts[0]),
        Split::Val => all.select(split, &parts[1]),
        Split::Test => all.select(split, &parts[2]),
    })
}
