//! Winograd F(2x2, 3x3)'s per-tile transforms, `B^T d B` of input tiles and `A^T m A` of
//! product tiles: over rows of tiles (one row per tile position, tiles along the row) in two
//! passes for the portable path, and on 16 tiles held in registers for the AVX-512 one. Both add
//! in the same order: the same bits.

/// `out[k] = (a[k] - c[k], b[k] + c[k], c[k] - b[k], b[k] - d[k])` for four equal-length
/// inputs and outputs: `B^T` applied to every column `(a, b, c, d)`.
#[inline(always)]
fn apply_bt(x: [&[f32]; 4], out: [&mut [f32]; 4]) {
    let [a, b, c, d] = x;
    let [o0, o1, o2, o3] = out;
    let n = o0.len();
    let (a, b, c, d) = (&a[..n], &b[..n], &c[..n], &d[..n]);
    let (o1, o2, o3) = (&mut o1[..n], &mut o2[..n], &mut o3[..n]);
    for k in 0..n {
        o0[k] = a[k] - c[k];
        o1[k] = b[k] + c[k];
        o2[k] = c[k] - b[k];
        o3[k] = b[k] - d[k];
    }
}

/// `(o0, o1)[k] = (a + b + c, b - c - d)[k]`: `A^T` applied to every column `(a, b, c, d)`.
#[inline(always)]
fn apply_at(x: [&[f32]; 4], o0: &mut [f32], o1: &mut [f32]) {
    let [a, b, c, d] = x;
    let n = o0.len();
    let (a, b, c, d, o1) = (&a[..n], &b[..n], &c[..n], &d[..n], &mut o1[..n]);
    for k in 0..n {
        o0[k] = a[k] + b[k] + c[k];
        o1[k] = b[k] - c[k] - d[k];
    }
}

/// Writes `B^T d B` of the `ld` tiles whose 16 values lie at `d[p * ld + t]` (position
/// `p = 4i + j`) to `v[p * vs + t]`; `tmp` (16 rows of `ld`) holds `B^T d`.
pub(super) fn transform_tiles(d: &[f32], ld: usize, tmp: &mut [f32], v: &mut [f32], vs: usize) {
    // Down the tile rows: for each column j, rows (i = 0..4) -> (B^T d) rows.
    for j in 0..4 {
        let x = std::array::from_fn(|i| &d[(4 * i + j) * ld..][..ld]);
        let mut outs = tmp.chunks_exact_mut(ld).skip(j).step_by(4);
        let out = std::array::from_fn(|_| outs.next().unwrap_or_default());
        apply_bt(x, out);
    }
    // Along the tile columns: for each row a, columns (j = 0..4) -> positions 4a + b.
    for a in 0..4 {
        let x = std::array::from_fn(|j| &tmp[(4 * a + j) * ld..][..ld]);
        let mut outs = v.chunks_mut(vs).skip(4 * a);
        let out = std::array::from_fn(|_| &mut outs.next().unwrap_or_default()[..ld]);
        apply_bt(x, out);
    }
}

/// `A^T m A` of tiles whose 16 values lie at `m[p * ms + t]`, written as the tile's 2x2 output
/// pixels to `y[(2i + j) * ld + t]`; `tmp` holds `A^T m` (8 rows of `ld`).
pub(super) fn untransform_tiles(m: &[f32], ms: usize, ld: usize, tmp: &mut [f32], y: &mut [f32]) {
    // Down the tile rows: column b's 4 values -> tmp rows b (output row 0) and 4 + b (row 1).
    let (t0, t1) = tmp.split_at_mut(4 * ld);
    for b in 0..4 {
        let x = std::array::from_fn(|i| &m[(4 * i + b) * ms..][..ld]);
        apply_at(x, &mut t0[b * ld..][..ld], &mut t1[b * ld..][..ld]);
    }
    let (y0, y1) = y.split_at_mut(2 * ld);
    for (t, out) in [(&*t0, y0), (&*t1, y1)] {
        let x = std::array::from_fn(|b| &t[b * ld..][..ld]);
        let (o0, o1) = out.split_at_mut(ld);
        apply_at(x, o0, &mut o1[..ld]);
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx512 {
    use std::arch::x86_64::*;

    /// `B^T x B` of 16 tiles held as 16 registers (position `4i + j`), in the order of
    /// `apply_bt`: down the rows, then along the columns.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn bt(x: [__m512; 16]) -> [__m512; 16] {
        let (add, sub) = (_mm512_add_ps, _mm512_sub_ps);
        let mut t = x;
        for j in 0..4 {
            t[j] = sub(x[j], x[8 + j]);
            t[4 + j] = add(x[4 + j], x[8 + j]);
            t[8 + j] = sub(x[8 + j], x[4 + j]);
            t[12 + j] = sub(x[4 + j], x[12 + j]);
        }
        let mut o = t;
        for a in (0..16).step_by(4) {
            o[a] = sub(t[a], t[a + 2]);
            o[a + 1] = add(t[a + 1], t[a + 2]);
            o[a + 2] = sub(t[a + 2], t[a + 1]);
            o[a + 3] = sub(t[a + 1], t[a + 3]);
        }
        o
    }

    /// `A^T x A` of 16 tiles: output pixel `2i + j`, in the order of `apply_at`.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub(crate) fn at(x: [__m512; 16]) -> [__m512; 4] {
        let (add, sub) = (_mm512_add_ps, _mm512_sub_ps);
        let mut t = [_mm512_setzero_ps(); 8];
        for b in 0..4 {
            t[b] = add(add(x[b], x[4 + b]), x[8 + b]);
            t[4 + b] = sub(sub(x[4 + b], x[8 + b]), x[12 + b]);
        }
        [
            add(add(t[0], t[1]), t[2]),
            sub(sub(t[1], t[2]), t[3]),
            add(add(t[4], t[5]), t[6]),
            sub(sub(t[5], t[6]), t[7]),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_register_transforms_give_the_portable_bits() {
        use std::arch::x86_64::*;
        if !crate::simd::has_wide() {
            return;
        }
        let d: Vec<f32> = (0..16 * 16)
            .map(|i| ((i * 7919) % 1000) as f32 / 37.0 - 13.0)
            .collect();
        let mut tmp = vec![0.0; 16 * 16];
        let (mut v, mut y) = (vec![0.0; 16 * 16], vec![0.0; 4 * 16]);
        transform_tiles(&d, 16, &mut tmp, &mut v, 16);
        untransform_tiles(&d, 16, 16, &mut tmp, &mut y);
        // SAFETY: AVX-512F checked; 16 rows of 16 values each way.
        unsafe {
            let x = std::array::from_fn(|p| _mm512_loadu_ps(d[p * 16..].as_ptr()));
            let mut got = vec![0.0; 16 * 16];
            for (p, r) in avx512::bt(x).into_iter().enumerate() {
                _mm512_storeu_ps(got[p * 16..].as_mut_ptr(), r);
            }
            assert_eq!(got, v, "B^T d B");
            let mut got = vec![0.0; 4 * 16];
            for (q, r) in avx512::at(x).into_iter().enumerate() {
                _mm512_storeu_ps(got[q * 16..].as_mut_ptr(), r);
            }
            assert_eq!(got, y, "A^T m A");
        }
    }
}
