//! DaLI: `input/png/<N>/*.png`, one group per numbered scene folder.

use std::path::Path;

use crate::error::Result;
use crate::fsutil;
use crate::views::ViewGroups;

/// One group per scene folder, ordered by number.
pub fn open(root: &Path) -> Result<ViewGroups> {
    let dir = fsutil::find_base(root, "input").join("input").join("png");
    let mut keyed = Vec::new();
    for scene in fsutil::subdirs(&dir)? {
        let name = fsutil::file_name(&scene);
        let key = (name.parse::<u64>().unwrap_or(u64::MAX), name);
        for p in fsutil::files_with_ext(&scene, &["png"])? {
            keyed.push((Key(key.clone()), p));
        }
    }
    ViewGroups::from_keyed("dali", keyed)
}

/// (number, folder name): numeric order, shown as the folder name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key((u64, String));

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.1)
    }
}
