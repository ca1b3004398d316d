//! Lighting: Lambert diffuse + ambient + a Blinn-Phong highlight under a directional light whose
//! colour follows its temperature, and the backdrop lit by the same light.

use super::colour::{hsv, temperature_rgb};
use super::latents::Latents;
use super::math::Vec3;
use super::texture::light_cell;

const AMBIENT: f32 = 0.24;
const DIFFUSE: f32 = 0.9;
const SPECULAR: f32 = 0.3;
const SHININESS: i32 = 24;
/// How far behind the object the backdrop is, in object radii (sets the shadow's offset).
const SHADOW_DEPTH: f32 = 0.45;
/// Longest shadow offset, in object radii.
const MAX_SHADOW: f32 = 0.8;
/// Backdrop brightness in shadow.
const SHADOW: f32 = 0.6;

/// Everything per image that shading needs, computed once per render.
pub struct Lighting {
    dir: Vec3,
    half: Vec3,
    colour: [f32; 3],
    light_tone: [f32; 3],
    dark_tone: [f32; 3],
    bg_top: [f32; 3],
    bg_bottom: [f32; 3],
}

impl Lighting {
    /// The light, object tones and backdrop of an image.
    pub fn new(l: &Latents) -> Lighting {
        let (sa, ca) = l.light_azimuth.sin_cos();
        let (se, ce) = l.light_elevation.sin_cos();
        let dir = Vec3::new(ce * sa, se, ce * ca).normalized();
        let half = (dir + Vec3::new(0.0, 0.0, 1.0)).normalized();
        let colour = temperature_rgb(l.light_temperature);
        let tint = |c: [f32; 3], k: f32| {
            [
                c[0] * colour[0] * k,
                c[1] * colour[1] * k,
                c[2] * colour[2] * k,
            ]
        };
        Lighting {
            dir,
            half,
            colour,
            light_tone: hsv(l.object_hue, 0.72, 0.95),
            dark_tone: hsv(l.object_hue, 0.9, 0.55),
            bg_top: tint(hsv(l.background_hue, 0.28, 0.92), 1.0),
            bg_bottom: tint(hsv(l.background_hue, 0.38, 0.6), 1.0),
        }
    }

    /// The colour of the surface at object-space point `p` with camera-space normal `n`.
    pub fn surface(&self, n: Vec3, p: Vec3) -> [f32; 3] {
        // Turning the normal to the viewer fixes any sign a mesh builder got wrong.
        let n = if n.z < 0.0 { n * -1.0 } else { n };
        let albedo = if light_cell(p) {
            self.light_tone
        } else {
            self.dark_tone
        };
        let diffuse = AMBIENT + DIFFUSE * n.dot(self.dir).max(0.0);
        let spec = SPECULAR * n.dot(self.half).max(0.0).powi(SHININESS);
        [0, 1, 2].map(|k| (albedo[k] * diffuse + spec) * self.colour[k])
    }

    /// Where the object's shadow falls on the backdrop, relative to the object, in units of object
    /// radius (screen x right, y down): away from the light, longer for grazing light.
    pub fn shadow_offset(&self) -> (f32, f32) {
        let z = self.dir.z.max(0.35);
        let (x, y) = (
            -self.dir.x / z * SHADOW_DEPTH,
            self.dir.y / z * SHADOW_DEPTH,
        );
        let len = x.hypot(y);
        let k = if len > MAX_SHADOW {
            MAX_SHADOW / len
        } else {
            1.0
        };
        (x * k, y * k)
    }

    /// The backdrop colour at relative height `v` (0 top, 1 bottom), darkened where in shadow.
    pub fn backdrop(&self, v: f32, shadowed: bool) -> [f32; 3] {
        let c = self.background(v);
        if shadowed { c.map(|x| x * SHADOW) } else { c }
    }

    /// The backdrop colour at relative height `v` (0 top, 1 bottom).
    pub fn background(&self, v: f32) -> [f32; 3] {
        [0, 1, 2].map(|k| self.bg_top[k] + (self.bg_bottom[k] - self.bg_top[k]) * v)
    }
}
