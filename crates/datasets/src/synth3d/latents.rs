//! The latent factors of one image, their ranges and their sampling.

use super::error::Synth3dError;
use super::shapes::CLASS_NAMES;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::f32::consts::{FRAC_PI_3, FRAC_PI_4, PI};

/// Everything that determines one synth3d image: `Synth3d::render(&latents, size)` is a pure function of it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Latents {
    /// Object class, `0..Latents::CLASS_COUNT` (see `CLASS_NAMES`).
    pub class: i64,
    /// Horizontal offset of the object centre from the image centre, as a fraction of the width (+ right).
    pub pos_x: f32,
    /// Vertical offset of the object centre from the image centre, as a fraction of the height (+ down).
    pub pos_y: f32,
    /// Object radius as a fraction of the image size (the depth cue of an orthographic camera).
    pub scale: f32,
    /// Spin about the object's vertical axis, radians in [-pi, pi).
    pub yaw: f32,
    /// Tilt towards the viewer, radians.
    pub pitch: f32,
    /// Roll in the image plane, radians.
    pub roll: f32,
    /// Object hue in [0, 1).
    pub object_hue: f32,
    /// Background hue in [0, 1).
    pub background_hue: f32,
    /// Light azimuth in radians (0: from the camera, + from the right).
    pub light_azimuth: f32,
    /// Light elevation in radians above the horizon.
    pub light_elevation: f32,
    /// Light colour temperature in kelvin (low: warm orange, high: cold blue).
    pub light_temperature: f32,
}

/// The sampling range of each continuous latent.
pub mod ranges {
    use super::*;
    /// `pos_x` and `pos_y`.
    pub const POS: (f32, f32) = (-0.12, 0.12);
    /// `scale`.
    pub const SCALE: (f32, f32) = (0.27, 0.4);
    /// `yaw`.
    pub const YAW: (f32, f32) = (-PI, PI);
    /// `pitch`.
    pub const PITCH: (f32, f32) = (-FRAC_PI_3, FRAC_PI_3);
    /// `roll`.
    pub const ROLL: (f32, f32) = (-FRAC_PI_4, FRAC_PI_4);
    /// `light_azimuth`.
    pub const AZIMUTH: (f32, f32) = (-1.2, 1.2);
    /// `light_elevation`.
    pub const ELEVATION: (f32, f32) = (0.15, 1.1);
    /// `light_temperature`.
    pub const TEMPERATURE: (f32, f32) = (3000.0, 9000.0);
}

fn unit(v: f32, (lo, hi): (f32, f32)) -> f32 {
    (v - lo) / (hi - lo)
}

impl Latents {
    /// Number of object classes.
    pub const CLASS_COUNT: usize = CLASS_NAMES.len();

    /// The fixed scene of the renderer's NumPy parity check and bench
    /// (`benches/synth3d_compare.py`): object `class` centred, slightly turned, lit from the upper
    /// right at daylight temperature.
    pub fn reference_scene(class: i64) -> Latents {
        Latents {
            class,
            pos_x: 0.0,
            pos_y: 0.0,
            scale: 0.34,
            yaw: 0.6,
            pitch: 0.4,
            roll: 0.1,
            object_hue: 0.6,
            background_hue: 0.1,
            light_azimuth: 0.5,
            light_elevation: 0.6,
            light_temperature: 6500.0,
        }
    }

    /// Names of the entries of `to_vec()`, in order.
    pub const NAMES: [&'static str; 14] = [
        "pos_x",
        "pos_y",
        "scale",
        "yaw_cos",
        "yaw_sin",
        "pitch",
        "roll",
        "object_hue_cos",
        "object_hue_sin",
        "background_hue_cos",
        "background_hue_sin",
        "light_azimuth",
        "light_elevation",
        "light_temperature",
    ];

    /// The continuous latents as regression targets: linear factors scaled from their range to
    /// [0, 1], circular ones (yaw, hues) as (cos, sin) so they have no wrap-around jump.
    pub fn to_vec(&self) -> Vec<f32> {
        let (yc, ys) = (self.yaw.cos(), self.yaw.sin());
        let (oc, os) = hue_cos_sin(self.object_hue);
        let (bc, bs) = hue_cos_sin(self.background_hue);
        vec![
            unit(self.pos_x, ranges::POS),
            unit(self.pos_y, ranges::POS),
            unit(self.scale, ranges::SCALE),
            yc,
            ys,
            unit(self.pitch, ranges::PITCH),
            unit(self.roll, ranges::ROLL),
            oc,
            os,
            bc,
            bs,
            unit(self.light_azimuth, ranges::AZIMUTH),
            unit(self.light_elevation, ranges::ELEVATION),
            unit(self.light_temperature, ranges::TEMPERATURE),
        ]
    }

    /// Draws every continuous latent uniformly from its range for an object of `class`.
    pub fn sample(class: i64, rng: &mut impl Rng) -> Latents {
        let mut u = |(lo, hi): (f32, f32)| lo + (hi - lo) * rng.random::<f32>();
        Latents {
            class,
            pos_x: u(ranges::POS),
            pos_y: u(ranges::POS),
            scale: u(ranges::SCALE),
            yaw: u(ranges::YAW),
            pitch: u(ranges::PITCH),
            roll: u(ranges::ROLL),
            object_hue: u((0.0, 1.0)),
            background_hue: u((0.0, 1.0)),
            light_azimuth: u(ranges::AZIMUTH),
            light_elevation: u(ranges::ELEVATION),
            light_temperature: u(ranges::TEMPERATURE),
        }
    }

    /// Checks the class id and that every value is finite and the geometry stays sensible
    /// (the renderer accepts values outside the sampling ranges, e.g. for sweeps).
    pub fn validate(&self) -> Result<(), Synth3dError> {
        if !(0..Self::CLASS_COUNT as i64).contains(&self.class) {
            return Err(Synth3dError::InvalidLatents(format!(
                "class {} is not in 0..{}",
                self.class,
                Self::CLASS_COUNT
            )));
        }
        let values = [
            self.pos_x,
            self.pos_y,
            self.scale,
            self.yaw,
            self.pitch,
            self.roll,
            self.object_hue,
            self.background_hue,
            self.light_azimuth,
            self.light_elevation,
            self.light_temperature,
        ];
        if values.iter().any(|v| !v.is_finite()) {
            return Err(Synth3dError::InvalidLatents(format!(
                "non-finite value in {self:?}"
            )));
        }
        if !(0.01..=2.0).contains(&self.scale) || self.pos_x.abs() > 2.0 || self.pos_y.abs() > 2.0 {
            return Err(Synth3dError::InvalidLatents(format!(
                "scale {} must be in [0.01, 2] and |pos| <= 2",
                self.scale
            )));
        }
        if !(500.0..=40000.0).contains(&self.light_temperature) {
            return Err(Synth3dError::InvalidLatents(format!(
                "light temperature {} K must be in [500, 40000]",
                self.light_temperature
            )));
        }
        Ok(())
    }
}

/// A hue in [0, 1) as a point on the unit circle.
pub fn hue_cos_sin(h: f32) -> (f32, f32) {
    let a = h * 2.0 * PI;
    (a.cos(), a.sin())
}
