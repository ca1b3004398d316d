//! RealBlur: `<scene>/gt/gt_K.png` with `<scene>/blur/blur_K.png`, at any depth under the root.

use std::path::Path;

use crate::error::{DatasetError, Result};
use crate::fsutil;
use crate::views::ViewGroups;

/// One group per (sharp, blurred) pair.
pub fn open(root: &Path) -> Result<ViewGroups> {
    let mut keyed = Vec::new();
    for gt in fsutil::walk_files(root, &["png"])? {
        let Some(dir) = gt.parent() else { continue };
        if fsutil::file_name(dir) != "gt" {
            continue;
        }
        let name = fsutil::file_name(&gt);
        let Some(k) = name.strip_prefix("gt_") else {
            continue;
        };
        let blur = dir.with_file_name("blur").join(format!("blur_{k}"));
        if !blur.is_file() {
            return Err(DatasetError::missing(blur, "blurred pair of a sharp image"));
        }
        let scene = dir.parent().unwrap_or(dir);
        let id = format!(
            "{}/{}",
            scene.strip_prefix(root).unwrap_or(scene).display(),
            k.trim_end_matches(".png")
        );
        keyed.push(((id.clone(), 0u8), gt.clone()));
        keyed.push(((id, 1u8), blur));
    }
    // Sharp (rank 0) first: by path `blur` would sort before `gt`.
    ViewGroups::from_ranked("realblur", keyed)
}
