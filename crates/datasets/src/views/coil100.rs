//! COIL-100: `obj{N}__{angle}.png` (100 objects x 72 angles) under the root or `coil-100/`, at any
//! depth: the official zip has them in one folder, the Hub copy (`Voxel51/COIL-100`) in
//! `data/data_0..data_14/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{DatasetError, Result};
use crate::fsutil;
use crate::views::ViewGroups;

/// Parses `obj{N}__{angle}.png` into (object, angle).
pub fn parse_name(name: &str) -> Option<(u32, u32)> {
    let stem = name.strip_prefix("obj")?.strip_suffix(".png")?;
    let (obj, angle) = stem.split_once("__")?;
    Some((obj.parse().ok()?, angle.parse().ok()?))
}

/// One group per object (numeric order), views ordered by angle (numerically: file names sort 10
/// before 5).
pub fn open(root: &Path) -> Result<ViewGroups> {
    let dir = if root.join("coil-100").is_dir() {
        root.join("coil-100")
    } else {
        root.to_path_buf()
    };
    let mut seen: BTreeMap<(u32, u32), PathBuf> = BTreeMap::new();
    for p in fsutil::walk_files(&dir, &["png"])? {
        let name = fsutil::file_name(&p);
        let Some(key) = parse_name(&name) else {
            return Err(DatasetError::format(
                &p,
                "name is not `obj{N}__{angle}.png`",
            ));
        };
        if let Some(first) = seen.get(&key) {
            // Two copies of one view (say an old download beside the Hub's nested one) would make
            // a group of 73: refuse rather than count it twice.
            return Err(DatasetError::format(
                &p,
                format!("the same view as {}", first.display()),
            ));
        }
        seen.insert(key, p);
    }
    // One group per object, its views by angle.
    let mut groups = ViewGroups::from_ranked("coil100", seen)?;
    for g in &mut groups.groups {
        g.id = format!("obj{}", g.id);
    }
    Ok(groups)
}
