//! The little linear algebra the renderer needs: 3-vectors and rotation matrices.

use std::ops::{Add, Mul, Sub};

/// A 3-vector in object or camera space (x right, y up, z towards the viewer).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Vec3 {
    /// Right.
    pub x: f32,
    /// Up.
    pub y: f32,
    /// Towards the viewer.
    pub z: f32,
}

impl Vec3 {
    /// Builds a vector from its components.
    pub const fn new(x: f32, y: f32, z: f32) -> Self {
        Self { x, y, z }
    }

    /// Dot product.
    pub fn dot(self, o: Vec3) -> f32 {
        self.x * o.x + self.y * o.y + self.z * o.z
    }

    /// Cross product.
    pub fn cross(self, o: Vec3) -> Vec3 {
        Vec3::new(
            self.y * o.z - self.z * o.y,
            self.z * o.x - self.x * o.z,
            self.x * o.y - self.y * o.x,
        )
    }

    /// Euclidean length.
    pub fn norm(self) -> f32 {
        self.dot(self).sqrt()
    }

    /// The unit vector in the same direction (the zero vector stays zero rather than turning NaN).
    pub fn normalized(self) -> Vec3 {
        let n = self.norm();
        if n > 1e-12 { self * (1.0 / n) } else { self }
    }
}

impl Add for Vec3 {
    type Output = Vec3;
    fn add(self, o: Vec3) -> Vec3 {
        Vec3::new(self.x + o.x, self.y + o.y, self.z + o.z)
    }
}

impl Sub for Vec3 {
    type Output = Vec3;
    fn sub(self, o: Vec3) -> Vec3 {
        Vec3::new(self.x - o.x, self.y - o.y, self.z - o.z)
    }
}

impl Mul<f32> for Vec3 {
    type Output = Vec3;
    fn mul(self, s: f32) -> Vec3 {
        Vec3::new(self.x * s, self.y * s, self.z * s)
    }
}

/// A row-major 3x3 matrix, used for rotations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mat3(pub [[f32; 3]; 3]);

impl Mat3 {
    /// The rotation `Rz(roll) * Rx(pitch) * Ry(yaw)`: spin about the object's vertical axis first,
    /// then tilt towards the viewer, then roll in the image plane.
    pub fn from_euler(yaw: f32, pitch: f32, roll: f32) -> Mat3 {
        let (sy, cy) = yaw.sin_cos();
        let (sp, cp) = pitch.sin_cos();
        let (sr, cr) = roll.sin_cos();
        let ry = Mat3([[cy, 0.0, sy], [0.0, 1.0, 0.0], [-sy, 0.0, cy]]);
        let rx = Mat3([[1.0, 0.0, 0.0], [0.0, cp, -sp], [0.0, sp, cp]]);
        let rz = Mat3([[cr, -sr, 0.0], [sr, cr, 0.0], [0.0, 0.0, 1.0]]);
        rz.mul_mat(&rx).mul_mat(&ry)
    }

    /// Matrix product `self * o`.
    pub fn mul_mat(&self, o: &Mat3) -> Mat3 {
        let mut r = [[0.0f32; 3]; 3];
        for (i, row) in r.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = (0..3).map(|k| self.0[i][k] * o.0[k][j]).sum();
            }
        }
        Mat3(r)
    }

    /// Matrix-vector product.
    pub fn apply(&self, v: Vec3) -> Vec3 {
        let m = &self.0;
        Vec3::new(
            m[0][0] * v.x + m[0][1] * v.y + m[0][2] * v.z,
            m[1][0] * v.x + m[1][1] * v.y + m[1][2] * v.z,
            m[2][0] * v.x + m[2][1] * v.y + m[2][2] * v.z,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euler_rotation_is_orthonormal_and_yaw_spins_about_y() {
        let r = Mat3::from_euler(0.7, -0.3, 1.1);
        let x = r.apply(Vec3::new(1.0, 0.0, 0.0));
        let y = r.apply(Vec3::new(0.0, 1.0, 0.0));
        assert!((x.norm() - 1.0).abs() < 1e-5 && (y.norm() - 1.0).abs() < 1e-5);
        assert!(x.dot(y).abs() < 1e-5);
        let up = Mat3::from_euler(1.3, 0.0, 0.0).apply(Vec3::new(0.0, 1.0, 0.0));
        assert!((up - Vec3::new(0.0, 1.0, 0.0)).norm() < 1e-6);
        let side =
            Mat3::from_euler(std::f32::consts::FRAC_PI_2, 0.0, 0.0).apply(Vec3::new(1.0, 0.0, 0.0));
        assert!((side - Vec3::new(0.0, 0.0, -1.0)).norm() < 1e-6);
    }
}
