//! Triangle meshes and the primitive builders the object classes are assembled from.
//!
//! Normal signs do not matter: the shader turns every normal towards the viewer, which is right
//! for the visible side of a closed surface, so builders only have to get the normal's line right.

use super::math::{Mat3, Vec3};
use std::f32::consts::TAU;

/// One triangle: corner positions and the shading normal at each corner (object space).
#[derive(Clone, Copy, Debug)]
pub struct Tri {
    /// Corner positions.
    pub p: [Vec3; 3],
    /// Corner normals (unit length, sign arbitrary).
    pub n: [Vec3; 3],
}

/// A triangle soup in object space (y up).
#[derive(Clone, Debug, Default)]
pub struct Mesh {
    /// The triangles.
    pub tris: Vec<Tri>,
}

impl Mesh {
    /// Appends another mesh's triangles.
    pub fn merge(mut self, other: Mesh) -> Mesh {
        self.tris.extend(other.tris);
        self
    }

    /// The mesh rotated by `r` then moved by `offset`.
    pub fn transformed(mut self, r: &Mat3, offset: Vec3) -> Mesh {
        for t in &mut self.tris {
            for k in 0..3 {
                t.p[k] = r.apply(t.p[k]) + offset;
                t.n[k] = r.apply(t.n[k]);
            }
        }
        self
    }

    /// Centres the bounding box at the origin and scales the farthest vertex to radius 1, so every
    /// class fills the frame alike for a given scale latent.
    pub fn normalized(mut self) -> Mesh {
        let (mut lo, mut hi) = (
            Vec3::new(f32::MAX, f32::MAX, f32::MAX),
            Vec3::new(f32::MIN, f32::MIN, f32::MIN),
        );
        for p in self.tris.iter().flat_map(|t| t.p) {
            lo = Vec3::new(lo.x.min(p.x), lo.y.min(p.y), lo.z.min(p.z));
            hi = Vec3::new(hi.x.max(p.x), hi.y.max(p.y), hi.z.max(p.z));
        }
        let c = (lo + hi) * 0.5;
        let r = self
            .tris
            .iter()
            .flat_map(|t| t.p)
            .map(|p| (p - c).norm())
            .fold(0.0f32, f32::max);
        let s = if r > 0.0 { 1.0 / r } else { 1.0 };
        for t in &mut self.tris {
            for p in &mut t.p {
                *p = (*p - c) * s;
            }
        }
        self
    }

    /// Every distinct corner position (duplicates from shared corners included once per triangle).
    pub fn vertices(&self) -> impl Iterator<Item = Vec3> + '_ {
        self.tris.iter().flat_map(|t| t.p)
    }
}

/// A flat polygon (convex, or star-shaped around its first vertex's fan), fan-triangulated.
pub fn polygon(points: &[Vec3]) -> Mesh {
    let mut m = Mesh::default();
    if points.len() < 3 {
        return m;
    }
    let n = (points[1] - points[0])
        .cross(points[2] - points[0])
        .normalized();
    for i in 1..points.len() - 1 {
        m.tris.push(Tri {
            p: [points[0], points[i], points[i + 1]],
            n: [n; 3],
        });
    }
    m
}

/// An axis-aligned box with flat faces.
pub fn cuboid(center: Vec3, half: Vec3) -> Mesh {
    let v = |sx: f32, sy: f32, sz: f32| center + Vec3::new(sx * half.x, sy * half.y, sz * half.z);
    let faces = [
        [
            v(1., -1., -1.),
            v(1., 1., -1.),
            v(1., 1., 1.),
            v(1., -1., 1.),
        ],
        [
            v(-1., -1., -1.),
            v(-1., -1., 1.),
            v(-1., 1., 1.),
            v(-1., 1., -1.),
        ],
        [
            v(-1., 1., -1.),
            v(-1., 1., 1.),
            v(1., 1., 1.),
            v(1., 1., -1.),
        ],
        [
            v(-1., -1., -1.),
            v(1., -1., -1.),
            v(1., -1., 1.),
            v(-1., -1., 1.),
        ],
        [
            v(-1., -1., 1.),
            v(1., -1., 1.),
            v(1., 1., 1.),
            v(-1., 1., 1.),
        ],
        [
            v(-1., -1., -1.),
            v(-1., 1., -1.),
            v(1., 1., -1.),
            v(1., -1., -1.),
        ],
    ];
    faces
        .iter()
        .fold(Mesh::default(), |m, f| m.merge(polygon(f)))
}

/// A surface of revolution about the y axis from a profile of `(radius, y)` points; `smooth`
/// averages normals across profile points (curved profiles), otherwise each profile segment is
/// shaded flat (cylinders, cones, sharp rims).
pub fn lathe(profile: &[(f32, f32)], segments: usize, smooth: bool) -> Mesh {
    let seg_normal = |a: (f32, f32), b: (f32, f32)| {
        let (dr, dy) = (b.0 - a.0, b.1 - a.1);
        let l = (dr * dr + dy * dy).sqrt().max(1e-12);
        (dy / l, -dr / l)
    };
    let segs: Vec<(f32, f32)> = profile.windows(2).map(|w| seg_normal(w[0], w[1])).collect();
    let point_normal = |i: usize| {
        let (a, b) = (segs[i.saturating_sub(1)], segs[i.min(segs.len() - 1)]);
        let (r, y) = (a.0 + b.0, a.1 + b.1);
        let l = (r * r + y * y).sqrt().max(1e-12);
        (r / l, y / l)
    };
    let at = |(r, y): (f32, f32), th: f32| Vec3::new(r * th.cos(), y, r * th.sin());
    let mut m = Mesh::default();
    for (i, w) in profile.windows(2).enumerate() {
        let (na, nb) = if smooth {
            (point_normal(i), point_normal(i + 1))
        } else {
            (segs[i], segs[i])
        };
        for j in 0..segments {
            let (t0, t1) = (
                TAU * j as f32 / segments as f32,
                TAU * (j + 1) as f32 / segments as f32,
            );
            let (p00, p01, p10, p11) = (at(w[0], t0), at(w[0], t1), at(w[1], t0), at(w[1], t1));
            let (n00, n01, n10, n11) = (at(na, t0), at(na, t1), at(nb, t0), at(nb, t1));
            m.tris.push(Tri {
                p: [p00, p01, p11],
                n: [n00, n01, n11],
            });
            m.tris.push(Tri {
                p: [p00, p11, p10],
                n: [n00, n11, n10],
            });
        }
    }
    m
}

/// A torus around the y axis: ring radius `major`, tube radius `minor`.
pub fn torus(major: f32, minor: f32, ring_segments: usize, tube_segments: usize) -> Mesh {
    let point = |u: f32, v: f32| {
        let (su, cu) = u.sin_cos();
        let (sv, cv) = v.sin_cos();
        let n = Vec3::new(cv * cu, sv, cv * su);
        (
            Vec3::new(
                (major + minor * cv) * cu,
                minor * sv,
                (major + minor * cv) * su,
            ),
            n,
        )
    };
    let mut m = Mesh::default();
    for i in 0..ring_segments {
        for j in 0..tube_segments {
            let u0 = TAU * i as f32 / ring_segments as f32;
            let u1 = TAU * (i + 1) as f32 / ring_segments as f32;
            let v0 = TAU * j as f32 / tube_segments as f32;
            let v1 = TAU * (j + 1) as f32 / tube_segments as f32;
            let (a, b, c, d) = (point(u0, v0), point(u1, v0), point(u1, v1), point(u0, v1));
            m.tris.push(Tri {
                p: [a.0, b.0, c.0],
                n: [a.1, b.1, c.1],
            });
            m.tris.push(Tri {
                p: [a.0, c.0, d.0],
                n: [a.1, c.1, d.1],
            });
        }
    }
    m
}

/// A prism: the polygon `outline` (in the xy plane, star-shaped around the origin) extruded
/// along z between `-half_depth` and `half_depth`.
pub fn prism(outline: &[(f32, f32)], half_depth: f32) -> Mesh {
    let mut m = Mesh::default();
    let n = outline.len();
    for (zs, nz) in [(half_depth, 1.0f32), (-half_depth, -1.0)] {
        let c = Vec3::new(0.0, 0.0, zs);
        for i in 0..n {
            let (a, b) = (outline[i], outline[(i + 1) % n]);
            m.tris.push(Tri {
                p: [c, Vec3::new(a.0, a.1, zs), Vec3::new(b.0, b.1, zs)],
                n: [Vec3::new(0.0, 0.0, nz); 3],
            });
        }
    }
    for i in 0..n {
        let (a, b) = (outline[i], outline[(i + 1) % n]);
        m = m.merge(polygon(&[
            Vec3::new(a.0, a.1, -half_depth),
            Vec3::new(b.0, b.1, -half_depth),
            Vec3::new(b.0, b.1, half_depth),
            Vec3::new(a.0, a.1, half_depth),
        ]));
    }
    m
}
