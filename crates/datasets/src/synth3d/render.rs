//! One image from its latents: pose the class mesh, rasterise it supersampled, shade, downsample.

use super::error::Synth3dError;
use super::latents::Latents;
use super::math::{Mat3, Vec3};
use super::raster::{GBuffer, NO_TRI};
use super::shading::Lighting;
use super::shapes::shapes;
use image::RgbImage;

/// Samples per pixel along each axis (2: 4 samples per pixel, enough to smooth the edges at 64x64).
const SUPERSAMPLE: usize = 2;

/// Largest image side the renderer accepts.
pub const MAX_SIZE: u32 = 2048;

/// A rendered image with what the renderer knows about it.
pub struct Rendered {
    /// The image.
    pub image: RgbImage,
    /// Fraction of each pixel covered by the object, row-major.
    pub coverage: Vec<f32>,
    /// Landmark positions in pixels (continuous: pixel `(i, j)` spans `[i, i+1) x [j, j+1)`).
    pub landmarks: [[f32; 2]; 8],
    /// Whether each landmark is unoccluded and inside the image.
    pub visible: [bool; 8],
}

/// Where object-space points land in the (supersampled) frame.
struct Camera {
    rot: Mat3,
    cx: f32,
    cy: f32,
    scale: f32,
}

impl Camera {
    fn new(l: &Latents, side: f32) -> Camera {
        Camera {
            rot: Mat3::from_euler(l.yaw, l.pitch, l.roll),
            cx: side * (0.5 + l.pos_x),
            cy: side * (0.5 + l.pos_y),
            scale: side * l.scale,
        }
    }

    /// Screen x, screen y (down), camera depth (larger is nearer).
    fn project(&self, p: Vec3) -> [f32; 3] {
        let q = self.rot.apply(p);
        [self.cx + q.x * self.scale, self.cy - q.y * self.scale, q.z]
    }
}

/// Renders the image of `l` at `size` x `size`.
pub fn render_full(l: &Latents, size: u32) -> Result<Rendered, Synth3dError> {
    l.validate()?;
    if size == 0 || size > MAX_SIZE {
        return Err(Synth3dError::InvalidConfig(format!(
            "image size {size} must be in 1..={MAX_SIZE}"
        )));
    }
    let shape = &shapes()[l.class as usize];
    let side = size as usize * SUPERSAMPLE;
    let cam = Camera::new(l, side as f32);
    let mut g = GBuffer::new(side);
    for (i, t) in shape.mesh.tris.iter().enumerate() {
        g.draw(i as u32, &t.p.map(|p| cam.project(p)));
    }
    let light = Lighting::new(l);
    let n = size as usize;
    let mut acc = vec![[0.0f32; 3]; n * n];
    let mut covered = vec![0u32; n * n];
    let (sx, sy) = light.shadow_offset();
    let (sx, sy) = (
        (sx * cam.scale).round() as i64,
        (sy * cam.scale).round() as i64,
    );
    let covered_at = |x: i64, y: i64| {
        x >= 0
            && y >= 0
            && x < side as i64
            && y < side as i64
            && g.tri[y as usize * side + x as usize] != NO_TRI
    };
    for y in 0..side {
        let v = (y as f32 + 0.5) / side as f32;
        for x in 0..side {
            let i = y * side + x;
            let o = (y / SUPERSAMPLE) * n + x / SUPERSAMPLE;
            let c = if g.tri[i] == NO_TRI {
                // A backdrop point is in shadow when the object covers the point the light passes through.
                light.backdrop(v, covered_at(x as i64 - sx, y as i64 - sy))
            } else {
                let t = &shape.mesh.tris[g.tri[i] as usize];
                let [w1, w2] = g.bary[i];
                let w0 = 1.0 - w1 - w2;
                let p = t.p[0] * w0 + t.p[1] * w1 + t.p[2] * w2;
                let nrm = cam
                    .rot
                    .apply(t.n[0] * w0 + t.n[1] * w1 + t.n[2] * w2)
                    .normalized();
                covered[o] += 1;
                light.surface(nrm, p)
            };
            for k in 0..3 {
                acc[o][k] += c[k];
            }
        }
    }
    let per_pixel = (SUPERSAMPLE * SUPERSAMPLE) as f32;
    let mut image = RgbImage::new(size, size);
    for (px, a) in image.pixels_mut().zip(&acc) {
        px.0 = a.map(|v| ((v / per_pixel).clamp(0.0, 1.0) * 255.0).round() as u8);
    }
    let coverage = covered.iter().map(|&c| c as f32 / per_pixel).collect();
    let mut landmarks = [[0.0f32; 2]; 8];
    let mut visible = [false; 8];
    for (k, p) in shape.landmarks.iter().enumerate() {
        let [sx, sy, z] = cam.project(*p);
        landmarks[k] = [sx / SUPERSAMPLE as f32, sy / SUPERSAMPLE as f32];
        // Support points often sit exactly on the silhouette, where the sample under them may
        // just miss the object: look at the 3x3 samples around the landmark.
        let (ix, iy) = (sx.floor() as i64, sy.floor() as i64);
        let inside = sx >= 0.0 && sy >= 0.0 && sx < side as f32 && sy < side as f32;
        visible[k] = inside
            && (-1..=1).any(|dy| {
                (-1..=1).any(|dx| {
                    let (x, y) = (ix + dx, iy + dy);
                    if x < 0 || y < 0 || x >= side as i64 || y >= side as i64 {
                        return false;
                    }
                    let i = y as usize * side + x as usize;
                    // A landmark hidden behind another part of the object sits well behind the z-buffer.
                    g.tri[i] != NO_TRI && z >= g.depth[i] - 0.06
                })
            });
    }
    Ok(Rendered {
        image,
        coverage,
        landmarks,
        visible,
    })
}
