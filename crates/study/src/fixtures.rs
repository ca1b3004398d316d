//! A tiny data root in the real layouts the pipeline reads (ImageNet train and val as
//! ImageFolder JPEGs, COIL-100, Caltech101), for the `smoke` preset's tests and for users who
//! want to try `cargo xtask pipeline --preset smoke` before downloading anything.

use image::{Rgb, RgbImage};
use std::path::{Path, PathBuf};

use crate::error::{Result, StudyError};

/// A textured w x h image whose colours depend on `class` and whose layout on `i`.
pub fn pattern(w: u32, h: u32, class: u32, i: u32) -> RgbImage {
    let (cx, cy) = ((i * 7) % w.max(1), (i * 5) % h.max(1));
    RgbImage::from_fn(w, h, |x, y| {
        let near = (x as i64 - cx as i64).abs() + (y as i64 - cy as i64).abs() < (w / 3) as i64;
        let base = [
            (class * 97 % 256) as u8,
            (class * 53 % 256) as u8,
            (class * 181 % 256) as u8,
        ];
        let t = ((x * 13 + y * 7 + i * 29) % 64) as u8;
        if near {
            Rgb([base[0] / 2 + t, 255 - base[1] / 2, base[2] / 3 + t])
        } else {
            Rgb([base[0] / 3 + t / 2, base[1] / 3 + t, base[2] / 2])
        }
    })
}

fn save(path: &Path, img: &RgbImage) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|source| StudyError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    img.save(path)
        .map_err(|e| StudyError::Invalid(format!("{}: {e}", path.display())))
}

/// Writes the tiny data root at `dir/data` and returns that path: a study's outputs then go
/// beside it in `dir`, as in the tests that run one on a temporary folder.
pub fn tiny_data_in(dir: &Path, per_class: u32) -> Result<PathBuf> {
    let data = dir.join("data");
    tiny_data_root(&data, per_class)?;
    Ok(data)
}

/// Writes the tiny data root under `root`: `imagenet/train/<wnid>/*.JPEG` (2 classes x
/// `per_class`), `imagenet/val/<wnid>/*.JPEG` (2 x 16), `coil100/obj{N}__{angle}.png` (4
/// objects x 4 angles) and `caltech101/101_ObjectCategories/<class>/image_NNNN.jpg` (2
/// classes x 34: 30 train and 4 test each).
pub fn tiny_data_root(root: &Path, per_class: u32) -> Result<()> {
    for (c, wnid) in ["n01440764", "n01443537"].iter().enumerate() {
        let c = c as u32;
        for i in 0..per_class {
            save(
                &root.join(format!("imagenet/train/{wnid}/{wnid}_{i}.JPEG")),
                &pattern(48, 40, c, i),
            )?;
        }
        for i in 0..16 {
            save(
                &root.join(format!(
                    "imagenet/val/{wnid}/ILSVRC2012_val_{:08}.JPEG",
                    c * 100 + i
                )),
                &pattern(44, 36, c, i + 500),
            )?;
        }
    }
    for o in 1..=4u32 {
        for a in [0u32, 5, 10, 15] {
            save(
                &root.join(format!("coil100/obj{o}__{a}.png")),
                &pattern(32, 32, o, a),
            )?;
        }
    }
    for (c, class) in ["accordion", "airplanes"].iter().enumerate() {
        for i in 1..=34u32 {
            save(
                &root.join(format!(
                    "caltech101/101_ObjectCategories/{class}/image_{i:04}.jpg"
                )),
                &pattern(36, 30, c as u32 + 5, i),
            )?;
        }
    }
    Ok(())
}
