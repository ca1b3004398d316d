//! ExposureErrors: `GT_IMAGES/*.jpg` and `INPUT_IMAGES/*.JPG`; a group is one ground truth and the
//! exposures rendered from it (input names start with the ground truth's id, the part before `-`).

use std::path::Path;

use crate::error::{DatasetError, Result};
use crate::fsutil;
use crate::views::ViewGroups;

/// One group per ground-truth image: the ground truth first, then its exposures.
pub fn open(root: &Path) -> Result<ViewGroups> {
    let base = fsutil::find_base(root, "GT_IMAGES");
    let root = base.as_path();
    let gts = fsutil::files_with_ext(&root.join("GT_IMAGES"), &["jpg", "jpeg", "png"])?;
    let inputs = fsutil::files_with_ext(&root.join("INPUT_IMAGES"), &["jpg", "jpeg", "png"])?;
    let mut keyed = Vec::new();
    for gt in gts {
        let name = fsutil::file_name(&gt);
        let id = name.split('-').next().unwrap_or_default().to_string();
        if id.is_empty() {
            return Err(DatasetError::format(
                &gt,
                "ground-truth name has no id before `-`",
            ));
        }
        let prefix = format!("{id}-");
        keyed.push(((id.clone(), 0u8), gt));
        for inp in inputs
            .iter()
            .filter(|p| fsutil::file_name(p).starts_with(&prefix))
        {
            keyed.push(((id.clone(), 1u8), inp.clone()));
        }
    }
    // Ground truth (rank 0) first within a group.
    ViewGroups::from_ranked("exposure-errors", keyed)
}
