//! `Transform`: the paper's 18 synthetic transforms, by name.

use std::fmt;
use std::str::FromStr;

use crate::error::AugmentError;

/// One of the 18 transforms of the paper's synthetic invariance study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// Rotation about the centre.
    Rotation,
    /// Translation (a 2-D grid of shifts).
    Translation,
    /// Isotropic scaling about the centre.
    Scale,
    /// Shear (a 2-D grid of x/y shear angles).
    Shear,
    /// Crop a box and resize it to 224.
    ResizedCrop,
    /// Horizontal flip.
    HFlip,
    /// Vertical flip.
    VFlip,
    /// Elastic deformation.
    Deform,
    /// Grayscale.
    Grayscale,
    /// Brightness factor.
    Brightness,
    /// Contrast factor.
    Contrast,
    /// Saturation factor.
    Saturation,
    /// Hue shift.
    Hue,
    /// Gaussian blur.
    Blur,
    /// Sharpness factor.
    Sharpness,
    /// Colour inversion.
    Invert,
    /// Histogram equalisation.
    Equalize,
    /// Posterisation (bits kept).
    Posterize,
}

const ALL: [Transform; 18] = [
    Transform::Rotation,
    Transform::Translation,
    Transform::Scale,
    Transform::Shear,
    Transform::ResizedCrop,
    Transform::HFlip,
    Transform::VFlip,
    Transform::Deform,
    Transform::Grayscale,
    Transform::Brightness,
    Transform::Contrast,
    Transform::Saturation,
    Transform::Hue,
    Transform::Blur,
    Transform::Sharpness,
    Transform::Invert,
    Transform::Equalize,
    Transform::Posterize,
];

impl Transform {
    /// All 18, in the paper's order (spatial first, then appearance).
    pub fn all() -> &'static [Transform] {
        &ALL
    }

    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Transform::Rotation => "rotation",
            Transform::Translation => "translation",
            Transform::Scale => "scale",
            Transform::Shear => "shear",
            Transform::ResizedCrop => "resized_crop",
            Transform::HFlip => "h_flip",
            Transform::VFlip => "v_flip",
            Transform::Deform => "deform",
            Transform::Grayscale => "grayscale",
            Transform::Brightness => "brightness",
            Transform::Contrast => "contrast",
            Transform::Saturation => "saturation",
            Transform::Hue => "hue",
            Transform::Blur => "blur",
            Transform::Sharpness => "sharpness",
            Transform::Invert => "invert",
            Transform::Equalize => "equalize",
            Transform::Posterize => "posterize",
        }
    }

    /// Whether the transform moves pixels (the paper's "spatial" group).
    pub fn is_spatial(self) -> bool {
        matches!(
            self,
            Transform::Rotation
                | Transform::Translation
                | Transform::Scale
                | Transform::Shear
                | Transform::ResizedCrop
                | Transform::HFlip
                | Transform::VFlip
                | Transform::Deform
        )
    }
}

impl fmt::Display for Transform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Transform {
    type Err = AugmentError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace('-', "_");
        let alias = match key.as_str() {
            "hflip" | "horizontal_flip" => "h_flip",
            "vflip" | "vertical_flip" => "v_flip",
            "rotate" => "rotation",
            "translate" => "translation",
            "elastic" => "deform",
            other => other,
        };
        ALL.iter()
            .copied()
            .find(|t| t.name() == alias)
            .ok_or_else(|| AugmentError::UnknownTransform(s.to_string()))
    }
}
