//! A labelled image and its downstream regression targets.

use super::error::Synth3dError;
use super::latents::{Latents, hue_cos_sin, ranges};
use image::RgbImage;

/// One labelled image of the probe sets.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The image.
    pub image: RgbImage,
    /// Object class, `0..Latents::CLASS_COUNT`.
    pub class: i64,
    /// The 8 landmark positions `[x, y]` in pixels (continuous: pixel `(i, j)` spans `[i, i+1) x [j, j+1)`).
    pub landmarks: [[f32; 2]; 8],
    /// Whether each landmark is unoccluded in the image (occluded ones still have a position).
    pub landmark_visible: [bool; 8],
    /// Everything the image was rendered from.
    pub latents: Latents,
}

impl Sample {
    /// The names `target` accepts, besides each of `Latents::NAMES`.
    pub const TARGETS: [&'static str; 11] = [
        "class",
        "landmarks",
        "hue",
        "rotation",
        "pose",
        "position",
        "scale",
        "background_hue",
        "light",
        "temperature",
        "latents",
    ];

    /// A downstream regression target by name: `landmarks` (16 values, x and y divided by the image
    /// size, in [0, 1]), `hue` (object hue as cos, sin), `rotation` (the object's rotation in the
    /// image plane, roll, scaled to [0, 1]), `pose` (cos yaw, sin yaw, pitch and roll scaled to
    /// [0, 1]), `position` (2), `scale`, `background_hue` (cos, sin), `light` (azimuth,
    /// elevation), `temperature`, `class` (the id as one value), `latents` (all of `Latents::to_vec`),
    /// or any single name of `Latents::NAMES`. Linear factors are scaled from their range to [0, 1].
    pub fn target(&self, name: &str) -> Result<Vec<f32>, Synth3dError> {
        let l = &self.latents;
        let all = l.to_vec();
        let pick = |names: &[&str]| -> Vec<f32> {
            names
                .iter()
                .map(|n| all[Latents::NAMES.iter().position(|m| m == n).unwrap_or(0)])
                .collect()
        };
        let size = self.image.width().max(1) as f32;
        Ok(match name {
            "class" => vec![self.class as f32],
            "landmarks" => self
                .landmarks
                .iter()
                .flat_map(|p| [p[0] / size, p[1] / size])
                .collect(),
            "hue" => {
                let (c, s) = hue_cos_sin(l.object_hue);
                vec![c, s]
            }
            // The rotation a 32 px view shows: yaw and pitch turn the object in depth, which no
            // encoder of the demo reads linearly (docs/demo.md, "Rotation").
            "rotation" => pick(&["roll"]),
            "pose" => pick(&["yaw_cos", "yaw_sin", "pitch", "roll"]),
            "position" => pick(&["pos_x", "pos_y"]),
            "scale" => pick(&["scale"]),
            "background_hue" => pick(&["background_hue_cos", "background_hue_sin"]),
            "light" => pick(&["light_azimuth", "light_elevation"]),
            "temperature" => vec![
                (l.light_temperature - ranges::TEMPERATURE.0)
                    / (ranges::TEMPERATURE.1 - ranges::TEMPERATURE.0),
            ],
            "latents" => all,
            other => match Latents::NAMES.iter().position(|m| *m == other) {
                Some(i) => vec![all[i]],
                None => {
                    let known: Vec<&str> = Self::TARGETS
                        .iter()
                        .chain(Latents::NAMES.iter())
                        .copied()
                        .collect();
                    return Err(Synth3dError::UnknownTarget {
                        name: other.to_string(),
                        known: known.join(", "),
                    });
                }
            },
        })
    }
}
