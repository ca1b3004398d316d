//! Writing a sweep's views to disk: what the encoder sees for each setting (after the
//! preprocessing's resize and crop, before normalisation), one PNG per setting named
//! `NNN_<parameters>.png` with NNN the setting's index in the sweep.

use std::path::{Path, PathBuf};

use image::RgbImage;
use rayon::prelude::*;
use sslinv_augment::{Preprocess, Sweep};

use crate::error::{InvarianceError, Result};
use crate::views::sweep_view;

/// A parameter as it appears in a file name: at most 4 decimals, no trailing zeros.
fn param_text(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// `NNN_<p1>_<p2>...png` for setting `i` of a sweep of `k` settings (at least 3 digits).
pub fn view_file_name(i: usize, k: usize, params: &[f64]) -> String {
    let digits = k.saturating_sub(1).to_string().len().max(3);
    let p: Vec<String> = params.iter().map(|&v| param_text(v)).collect();
    format!("{i:0digits$}_{}.png", p.join("_"))
}

/// Writes every setting's view of `img` into `dir` (created if needed), each to a temporary
/// file renamed into place; returns the paths in sweep order.
pub fn write_sweep_views(
    sweep: &Sweep,
    img: &RgbImage,
    prep: &Preprocess,
    dir: &Path,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| InvarianceError::io(dir, e))?;
    let k = sweep.len();
    (0..k)
        .into_par_iter()
        .map(|i| {
            let view = sweep_view(sweep, i, img, prep)?;
            let path = dir.join(view_file_name(i, k, sweep.params(i)));
            let tmp = path.with_extension("png.tmp");
            view.save_with_format(&tmp, image::ImageFormat::Png)
                .map_err(|e| InvarianceError::io(&tmp, std::io::Error::other(e)))?;
            std::fs::rename(&tmp, &path).map_err(|e| InvarianceError::io(&path, e))?;
            Ok(path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sslinv_augment::{Protocol, Transform};

    #[test]
    fn names_carry_index_and_parameters() {
        assert_eq!(view_file_name(7, 256, &[1.40625]), "007_1.4062.png");
        assert_eq!(view_file_name(0, 256, &[-16.0, -0.0]), "000_-16_0.png");
        assert_eq!(view_file_name(12, 2000, &[0.5]), "0012_0.5.png");
    }

    #[test]
    fn writes_one_png_per_setting() {
        let dir = tempfile::tempdir().unwrap();
        let img = RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 6, y as u8 * 8, 50]));
        let sweep = Sweep::with_protocol(Transform::Translation, Some(4), Protocol::PaperCode);
        let prep = Preprocess::new(Some(36), Some(32));
        let paths = write_sweep_views(&sweep, &img, &prep, dir.path()).unwrap();
        assert_eq!(paths.len(), 4);
        let first = image::open(&paths[0]).unwrap().to_rgb8();
        assert_eq!(first.dimensions(), (32, 32));
        assert_eq!(first, sweep_view(&sweep, 0, &img, &prep).unwrap());
    }
}
