//! The object classes: one distinct 3D shape each, built once and shared by every render.

use super::landmarks::support_landmarks;
use super::math::{Mat3, Vec3};
use super::mesh::{Mesh, cuboid, lathe, polygon, prism, torus};
use std::f32::consts::{FRAC_PI_2, PI, TAU};
use std::sync::OnceLock;

/// The class names, indexed by class id.
pub const CLASS_NAMES: [&str; 12] = [
    "cube", "sphere", "cylinder", "cone", "torus", "pyramid", "diamond", "dumbbell", "star", "mug",
    "table", "vase",
];

/// A class's geometry: its normalised mesh and its 8 landmark points (object space, on the surface).
#[derive(Debug)]
pub struct Shape {
    /// The mesh, centred and scaled to radius 1.
    pub mesh: Mesh,
    /// The landmark points, vertices of `mesh`.
    pub landmarks: [Vec3; 8],
}

/// Every class's shape, built on first use.
pub fn shapes() -> &'static [Shape] {
    static SHAPES: OnceLock<Vec<Shape>> = OnceLock::new();
    SHAPES.get_or_init(|| {
        (0..CLASS_NAMES.len())
            .map(|c| {
                let mesh = build(c).normalized();
                let landmarks = support_landmarks(&mesh);
                Shape { mesh, landmarks }
            })
            .collect()
    })
}

fn build(class: usize) -> Mesh {
    let v = Vec3::new;
    match class {
        0 => cuboid(v(0., 0., 0.), v(0.6, 0.6, 0.6)),
        1 => {
            let profile: Vec<(f32, f32)> = (0..=14)
                .map(|i| -FRAC_PI_2 + PI * i as f32 / 14.0)
                .map(|a| (a.cos().max(0.0), a.sin()))
                .collect();
            lathe(&profile, 28, true)
        }
        2 => lathe(
            &[(0.0, -0.8), (0.55, -0.8), (0.55, 0.8), (0.0, 0.8)],
            28,
            false,
        ),
        3 => lathe(&[(0.0, -0.6), (0.75, -0.6), (0.0, 1.0)], 28, false),
        4 => torus(0.68, 0.3, 28, 14),
        5 => {
            let (b, top) = (-0.55, v(0.0, 0.9, 0.0));
            let c = [
                v(-0.75, b, -0.75),
                v(0.75, b, -0.75),
                v(0.75, b, 0.75),
                v(-0.75, b, 0.75),
            ];
            (0..4)
                .map(|i| polygon(&[c[i], c[(i + 1) % 4], top]))
                .fold(polygon(&c), Mesh::merge)
        }
        6 => {
            // The girdle's corners sit between the axes so the corner-direction landmarks land on
            // four different corners instead of collapsing onto one.
            let ring = [
                v(0.42, 0.0, 0.42),
                v(-0.42, 0.0, 0.42),
                v(-0.42, 0.0, -0.42),
                v(0.42, 0.0, -0.42),
            ];
            let (top, bottom) = (v(0.0, 0.55, 0.0), v(0.0, -1.0, 0.0));
            (0..4).fold(Mesh::default(), |m, i| {
                m.merge(polygon(&[ring[i], ring[(i + 1) % 4], top]))
                    .merge(polygon(&[ring[i], ring[(i + 1) % 4], bottom]))
            })
        }
        7 => {
            let ball = |y: f32| {
                let profile: Vec<(f32, f32)> = (0..=10)
                    .map(|i| -FRAC_PI_2 + PI * i as f32 / 10.0)
                    .map(|a| (0.36 * a.cos().max(0.0), y + 0.36 * a.sin()))
                    .collect();
                lathe(&profile, 20, true)
            };
            ball(-0.64).merge(ball(0.64)).merge(lathe(
                &[(0.0, -0.6), (0.13, -0.6), (0.13, 0.6), (0.0, 0.6)],
                14,
                false,
            ))
        }
        8 => {
            let outline: Vec<(f32, f32)> = (0..10)
                .map(|i| {
                    let a = FRAC_PI_2 + TAU * i as f32 / 10.0;
                    let r = if i % 2 == 0 { 1.0 } else { 0.42 };
                    (r * a.cos(), r * a.sin())
                })
                .collect();
            prism(&outline, 0.22)
        }
        9 => {
            let body = lathe(
                &[(0.0, -0.6), (0.5, -0.6), (0.5, 0.6), (0.0, 0.6)],
                28,
                false,
            );
            let handle = torus(0.3, 0.09, 20, 8)
                .transformed(&Mat3::from_euler(0.0, FRAC_PI_2, 0.0), v(0.5, 0.0, 0.0));
            body.merge(handle)
        }
        10 => {
            let mut m = cuboid(v(0.0, 0.32, 0.0), v(0.9, 0.08, 0.55));
            for (x, z) in [(-0.75, -0.42), (0.75, -0.42), (0.75, 0.42), (-0.75, 0.42)] {
                m = m.merge(cuboid(v(x, -0.16, z), v(0.07, 0.42, 0.07)));
            }
            m
        }
        _ => lathe(
            &[
                (0.0, -1.0),
                (0.45, -1.0),
                (0.55, -0.7),
                (0.55, -0.3),
                (0.2, 0.25),
                (0.2, 0.6),
                (0.42, 1.0),
                (0.0, 1.0),
            ],
            28,
            false,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_is_normalised_and_nonempty() {
        for (c, s) in shapes().iter().enumerate() {
            assert!(s.mesh.tris.len() >= 4, "class {c}");
            let r = s.mesh.vertices().map(|p| p.norm()).fold(0.0f32, f32::max);
            assert!((r - 1.0).abs() < 1e-4, "class {c} radius {r}");
            for l in s.landmarks {
                assert!(
                    l.norm() <= 1.0 + 1e-4 && l.norm() > 0.1,
                    "class {c} landmark {l:?}"
                );
            }
        }
    }
}
