//! CelebA aligned landmarks: `img_align_celeba/`, `list_landmarks_align_celeba.txt`, `list_eval_partition.txt`
//! (also under a `celeba/` sub-folder, torchvision's layout).
//!
//! The aligned images are 178 x 218; the paper maps the 5 points into the 224 frame of resize(224) +
//! centre-crop(224): x' = x / 178 * 224, y' = (y - 20) / 178 * 224. Partition 0/1/2 = train/val/test.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{DatasetError, Result};
use crate::fsutil;
use crate::image_set::{ImageSet, Item};
use crate::split::Split;
use crate::target::Targets;

/// Landmarks per face (eyes, nose, mouth corners).
pub const POINTS: usize = 5;

/// Maps an aligned-image point to the 224 frame.
pub fn to_frame(x: f64, y: f64) -> [f32; 2] {
    [
        (x / 178.0 * 224.0) as f32,
        ((y - 20.0) / 178.0 * 224.0) as f32,
    ]
}

fn parse_landmarks(path: &Path) -> Result<HashMap<String, [f32; 2 * POINTS]>> {
    let text = fsutil::read_text(path)?;
    let mut out = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        // Line 1 is the count, line 2 the column names.
        if n < 2 || line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        if parts.len() != 1 + 2 * POINTS {
            return Err(DatasetError::annotation(
                path,
                n + 1,
                format!(
                    "{} fields, want a file name and {} numbers",
                    parts.len(),
                    2 * POINTS
                ),
            ));
        }
        let mut t = [0f32; 2 * POINTS];
        // `i` counts from 0; the message counts fields from 1, the file name first.
        let number = |i: usize| -> Result<f64> {
            parts[i].parse().map_err(|_| {
                DatasetError::annotation(path, n + 1, format!("field {} is not a number", i + 1))
            })
        };
        for k in 0..POINTS {
            let [fx, fy] = to_frame(number(1 + 2 * k)?, number(2 + 2 * k)?);
            t[2 * k] = fx;
            t[2 * k + 1] = fy;
        }
        out.insert(parts[0].to_string(), t);
    }
    Ok(out)
}

/// Loads a CelebA split with the 10 landmark coordinates as regression targets.
pub fn load(root: &Path, split: Split) -> Result<ImageSet> {
    let base = fsutil::find_base(root, "list_eval_partition.txt");
    let landmarks = parse_landmarks(&base.join("list_landmarks_align_celeba.txt"))?;
    let part_path = base.join("list_eval_partition.txt");
    let text = fsutil::read_text(&part_path)?;
    let want = match split {
        Split::Train => Some(0),
        Split::Val => Some(1),
        Split::Test => Some(2),
        Split::All => None,
    };
    let images = base.join("img_align_celeba");
    let mut items = Vec::new();
    let mut values = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut parts = line.split_whitespace();
        let (Some(file), Some(p), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(DatasetError::annotation(
                &part_path,
                n + 1,
                "want `<file> <0|1|2>`",
            ));
        };
        let p: u8 = match p.parse() {
            Ok(v @ 0..=2) => v,
            _ => {
                return Err(DatasetError::annotation(
                    &part_path,
                    n + 1,
                    format!("partition `{p}`, want 0, 1 or 2"),
                ));
            }
        };
        if want.is_some_and(|w| w != p) {
            continue;
        }
        let Some(t) = landmarks.get(file) else {
            return Err(DatasetError::annotation(
                &part_path,
                n + 1,
                format!("`{file}` has no line in list_landmarks_align_celeba.txt"),
            ));
        };
        items.push(Item::file(images.join(file)));
        values.extend_from_slice(t);
    }
    ImageSet::new(
        "celeba",
        split,
        items,
        Targets::Values {
            values,
            dim: 2 * POINTS,
        },
    )
}
