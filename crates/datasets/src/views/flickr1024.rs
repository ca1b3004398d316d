//! Flickr1024: stereo pairs `NNNN_L.png` / `NNNN_R.png` at any depth under the root.

use std::path::Path;

use crate::error::{DatasetError, Result};
use crate::fsutil;
use crate::views::ViewGroups;

/// One group per stereo pair (left, right).
pub fn open(root: &Path) -> Result<ViewGroups> {
    let mut keyed = Vec::new();
    for left in fsutil::walk_files(root, &["png"])? {
        let name = fsutil::file_name(&left);
        let Some(stem) = name.strip_suffix("_L.png") else {
            continue;
        };
        let right = left.with_file_name(format!("{stem}_R.png"));
        if !right.is_file() {
            return Err(DatasetError::missing(right, "right view of a stereo pair"));
        }
        let rel = left
            .strip_prefix(root)
            .unwrap_or(&left)
            .with_file_name(stem);
        let id = rel.display().to_string();
        keyed.push((id.clone(), left));
        keyed.push((id, right));
    }
    ViewGroups::from_keyed("flickr1024", keyed)
}
