//! The surface pattern: a solid (3D) checker in object space, so the pattern moves with the object
//! and gives every shape spatial structure that rotation and position change.

use super::math::Vec3;

/// Checker cells per unit of object radius.
const CELLS_PER_UNIT: f32 = 2.6;

/// Which of the two checker tones covers object-space point `p` (`true`: the light tone). The odd
/// phase offsets keep cell borders off the shapes' symmetry planes, so mirror poses look different.
pub fn light_cell(p: Vec3) -> bool {
    let c = |x: f32, phase: f32| (x * CELLS_PER_UNIT + phase).floor() as i32;
    (c(p.x, 0.31) + c(p.y, 0.17) + c(p.z, 0.53)) & 1 == 0
}
