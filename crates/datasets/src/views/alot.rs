//! ALOT: `<obj>/<obj>_c{C}l{L}[r{R}][i].png` (camera C, light L, rotation R degrees, `i` = reddish light).
//!
//! Groups as the paper's three settings: viewpoint (object x light L in {1,2,3,4,5,8}, varying camera and
//! rotation), illumination (object x camera x rotation, varying light, no `i`), temperature (object x camera:
//! the `i` images and light 8).

use std::path::Path;

use crate::error::{DatasetError, Result};
use crate::fsutil;
use crate::views::ViewGroups;

/// The factor that varies within a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlotMode {
    /// Camera and rotation.
    Viewpoint,
    /// Light direction.
    Illumination,
    /// Light colour temperature.
    Temperature,
}

impl AlotMode {
    /// The name suffix.
    pub fn name(self) -> &'static str {
        match self {
            AlotMode::Viewpoint => "viewpoint",
            AlotMode::Illumination => "illumination",
            AlotMode::Temperature => "temperature",
        }
    }
}

/// The parts of an ALOT file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlotName {
    /// Camera (1..=4).
    pub camera: u32,
    /// Light (1..=8).
    pub light: u32,
    /// Rotation in degrees (0 when absent).
    pub rotation: u32,
    /// Reddish illumination.
    pub reddish: bool,
}

/// Parses `<obj>_c{C}l{L}[r{R}][i].png`.
pub fn parse_name(name: &str) -> Option<AlotName> {
    let stem = name.strip_suffix(".png")?;
    let (_, rest) = stem.split_once('_')?;
    let rest = rest.strip_prefix('c')?;
    let (reddish, rest) = match rest.strip_suffix('i') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let (camera, rest) = rest.split_once('l')?;
    let (light, rotation) = match rest.split_once('r') {
        Some((l, r)) => (l, r.parse().ok()?),
        None => (rest, 0),
    };
    Some(AlotName {
        camera: camera.parse().ok()?,
        light: light.parse().ok()?,
        rotation,
        reddish,
    })
}

/// Opens the groups of one mode.
pub fn open(root: &Path, mode: AlotMode) -> Result<ViewGroups> {
    let mut keyed = Vec::new();
    for obj_dir in fsutil::subdirs(root)? {
        let Ok(obj) = fsutil::file_name(&obj_dir).parse::<u32>() else {
            continue;
        };
        for p in fsutil::files_with_ext(&obj_dir, &["png"])? {
            let Some(n) = parse_name(&fsutil::file_name(&p)) else {
                return Err(DatasetError::format(
                    &p,
                    "name is not `<obj>_c{C}l{L}[r{R}][i].png`",
                ));
            };
            let key = match mode {
                AlotMode::Viewpoint if !n.reddish && [1, 2, 3, 4, 5, 8].contains(&n.light) => {
                    Some(format!("{obj:04}/l{}", n.light))
                }
                AlotMode::Illumination if !n.reddish => {
                    Some(format!("{obj:04}/c{}/r{:03}", n.camera, n.rotation))
                }
                AlotMode::Temperature if n.reddish || (n.light == 8 && n.rotation == 0) => {
                    Some(format!("{obj:04}/c{}", n.camera))
                }
                _ => None,
            };
            if let Some(k) = key {
                keyed.push((k, p));
            }
        }
    }
    ViewGroups::from_keyed(&format!("alot-{}", mode.name()), keyed)
}
