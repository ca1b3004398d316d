//! ALOI in the paper's layout: `viewpoint/<obj>/*.png` (72 views per object),
//! `illumination/<obj>/<obj>_l{L}c{C}.png` (8 lights per object x camera), `temperature/<obj>/*.png` (12).

use std::path::Path;

use crate::error::{DatasetError, Result};
use crate::fsutil;
use crate::views::ViewGroups;

/// The factor that varies within a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AloiMode {
    /// Object rotation (groups: objects).
    Viewpoint,
    /// Light direction (groups: object x camera).
    Illumination,
    /// Light colour temperature (groups: objects).
    Temperature,
}

impl AloiMode {
    /// The sub-folder and name suffix.
    pub fn name(self) -> &'static str {
        match self {
            AloiMode::Viewpoint => "viewpoint",
            AloiMode::Illumination => "illumination",
            AloiMode::Temperature => "temperature",
        }
    }
}

/// The camera of an illumination file `<obj>_l{L}c{C}.png`.
pub fn camera(name: &str) -> Option<u32> {
    let stem = name.strip_suffix(".png")?;
    let (_, c) = stem.rsplit_once('c')?;
    c.parse().ok()
}

/// Opens the groups of one mode.
pub fn open(root: &Path, mode: AloiMode) -> Result<ViewGroups> {
    let dir = root.join(mode.name());
    let mut keyed = Vec::new();
    for obj_dir in fsutil::subdirs(&dir)? {
        let obj_name = fsutil::file_name(&obj_dir);
        let Ok(obj) = obj_name.parse::<u32>() else {
            return Err(DatasetError::format(
                &obj_dir,
                "object folder name is not a number",
            ));
        };
        for p in fsutil::files_with_ext(&obj_dir, &["png"])? {
            let cam = match mode {
                AloiMode::Illumination => match camera(&fsutil::file_name(&p)) {
                    Some(c) => c,
                    None => {
                        return Err(DatasetError::format(&p, "name is not `<obj>_l{L}c{C}.png`"));
                    }
                },
                _ => 0,
            };
            keyed.push(((obj, cam), p));
        }
    }
    let mut groups = ViewGroups::from_keyed(
        &format!("aloi-{}", mode.name()),
        keyed.into_iter().map(|(k, p)| (Key(k), p)),
    )?;
    if mode != AloiMode::Illumination {
        for g in &mut groups.groups {
            g.id = g.id.split('/').next().unwrap_or_default().to_string();
        }
    }
    Ok(groups)
}

/// (object, camera), ordered numerically and shown as `obj/cC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key((u32, u32));

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/c{}", self.0.0, self.0.1)
    }
}
