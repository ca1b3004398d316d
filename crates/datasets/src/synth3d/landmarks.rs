//! The 8 landmark points of a shape: its extreme surface points towards the 8 cube-corner
//! directions, so landmark `i` means the same thing ("the top-front-right extreme") for every class.

use super::math::Vec3;
use super::mesh::Mesh;

/// The object-space directions whose support points are the landmarks.
pub const DIRECTIONS: [[f32; 3]; 8] = [
    [-1.0, 1.0, 1.0],
    [1.0, 1.0, 1.0],
    [-1.0, -1.0, 1.0],
    [1.0, -1.0, 1.0],
    [-1.0, 1.0, -1.0],
    [1.0, 1.0, -1.0],
    [-1.0, -1.0, -1.0],
    [1.0, -1.0, -1.0],
];

/// The mesh vertex farthest along each direction (the first such vertex on ties, so the choice is
/// deterministic), nudged by a tiny component along the main axes to break symmetric ties the same
/// way for every class.
pub fn support_landmarks(mesh: &Mesh) -> [Vec3; 8] {
    DIRECTIONS.map(|d| {
        let dir = Vec3::new(d[0] * 1.0, d[1] * 1.001, d[2] * 1.002);
        let mut best = Vec3::default();
        let mut best_score = f32::MIN;
        for p in mesh.vertices() {
            let s = p.dot(dir);
            if s > best_score + 1e-6 {
                best = p;
                best_score = s;
            }
        }
        best
    })
}
