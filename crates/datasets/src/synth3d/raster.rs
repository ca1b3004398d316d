//! The z-buffer rasteriser: writes, per pixel, the nearest triangle and its barycentric
//! coordinates, so shading runs once per visible pixel (deferred shading).

/// Marks a pixel no triangle covers.
pub const NO_TRI: u32 = u32::MAX;

/// Per-pixel visibility: depth (larger is nearer), triangle index and barycentrics.
pub struct GBuffer {
    /// Width and height in pixels.
    pub size: usize,
    /// Depth of the nearest surface (camera z, larger is nearer).
    pub depth: Vec<f32>,
    /// Index of the nearest triangle, or `NO_TRI`.
    pub tri: Vec<u32>,
    /// Barycentric weights of corners 1 and 2 (corner 0 has the rest).
    pub bary: Vec<[f32; 2]>,
}

impl GBuffer {
    /// An empty square buffer.
    pub fn new(size: usize) -> GBuffer {
        GBuffer {
            size,
            depth: vec![f32::MIN; size * size],
            tri: vec![NO_TRI; size * size],
            bary: vec![[0.0; 2]; size * size],
        }
    }

    /// Draws one screen-space triangle (`[x, y, z]` per corner, pixel centres at `i + 0.5`).
    pub fn draw(&mut self, index: u32, v: &[[f32; 3]; 3]) {
        let [a, b, c] = *v;
        let area = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
        if area.abs() < 1e-8 || !area.is_finite() {
            return;
        }
        let inv = 1.0 / area;
        let size = self.size as f32;
        let x0 = (a[0].min(b[0]).min(c[0]) - 0.5).ceil().max(0.0);
        let x1 = (a[0].max(b[0]).max(c[0]) - 0.5).floor().min(size - 1.0);
        let y0 = (a[1].min(b[1]).min(c[1]) - 0.5).ceil().max(0.0);
        let y1 = (a[1].max(b[1]).max(c[1]) - 0.5).floor().min(size - 1.0);
        if x0 > x1 || y0 > y1 {
            return;
        }
        // Barycentrics are affine in the pixel position: step them instead of recomputing.
        let w1_dx = (c[1] - a[1]) * inv;
        let w2_dx = (a[1] - b[1]) * inv;
        let (x0, x1, y0, y1) = (x0 as usize, x1 as usize, y0 as usize, y1 as usize);
        for y in y0..=y1 {
            let py = y as f32 + 0.5;
            let px = x0 as f32 + 0.5;
            let mut w1 = ((px - a[0]) * (c[1] - a[1]) - (py - a[1]) * (c[0] - a[0])) * inv;
            let mut w2 = ((b[0] - a[0]) * (py - a[1]) - (b[1] - a[1]) * (px - a[0])) * inv;
            let row = y * self.size;
            for x in x0..=x1 {
                let w0 = 1.0 - w1 - w2;
                if w0 >= -1e-5 && w1 >= -1e-5 && w2 >= -1e-5 {
                    let z = w0 * a[2] + w1 * b[2] + w2 * c[2];
                    let i = row + x;
                    if z > self.depth[i] {
                        self.depth[i] = z;
                        self.tri[i] = index;
                        self.bary[i] = [w1, w2];
                    }
                }
                w1 += w1_dx;
                w2 += w2_dx;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearer_triangle_wins_and_coverage_matches_area() {
        let mut g = GBuffer::new(16);
        g.draw(0, &[[0.0, 0.0, 0.0], [16.0, 0.0, 0.0], [0.0, 16.0, 0.0]]);
        g.draw(1, &[[0.0, 0.0, 1.0], [8.0, 0.0, 1.0], [0.0, 8.0, 1.0]]);
        g.draw(
            2,
            &[[0.0, 0.0, -1.0], [16.0, 0.0, -1.0], [16.0, 16.0, -1.0]],
        );
        assert_eq!(g.tri[0], 1);
        assert_eq!(g.tri[12], 0);
        assert_eq!(g.tri[2 * 16 + 15], 2);
        assert_eq!(g.tri[15 * 16 + 2], NO_TRI);
        let covered = g.tri.iter().filter(|&&t| t != NO_TRI).count();
        assert!((covered as i32 - 192).abs() <= 16, "{covered}");
    }
}
