//! COIL-100: `obj{N}__{angle}.png` (100 objects x 72 angles), in the root or `coil-100/`.

use std::path::Path;

use crate::error::{DatasetError, Result};
use crate::fsutil;
use crate::views::ViewGroups;

/// Parses `obj{N}__{angle}.png` into (object, angle).
pub fn parse_name(name: &str) -> Option<(u32, u32)> {
    let stem = name.strip_prefix("obj")?.strip_suffix(".png")?;
    let (obj, angle) = stem.split_once("__")?;
    Some((obj.parse().ok()?, angle.parse().ok()?))
}

/// One group per object, views ordered by angle.
pub fn open(root: &Path) -> Result<ViewGroups> {
    let dir = if root.join("coil-100").is_dir() {
        root.join("coil-100")
    } else {
        root.to_path_buf()
    };
    let mut keyed = Vec::new();
    for p in fsutil::files_with_ext(&dir, &["png"])? {
        let name = fsutil::file_name(&p);
        let Some((obj, angle)) = parse_name(&name) else {
            return Err(DatasetError::format(
                &p,
                "name is not `obj{N}__{angle}.png`",
            ));
        };
        keyed.push(((obj, angle), p));
    }
    // Sort views by angle numerically (file names sort 10 before 5).
    keyed.sort();
    let mut groups = ViewGroups::from_keyed(
        "coil100",
        keyed.iter().map(|((obj, _), p)| (*obj, p.clone())),
    )?;
    for g in &mut groups.groups {
        g.paths
            .sort_by_key(|p| parse_name(&fsutil::file_name(p)).map(|(_, a)| a));
        g.id = format!("obj{}", g.id);
    }
    Ok(groups)
}
