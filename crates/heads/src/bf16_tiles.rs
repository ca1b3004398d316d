//! Rows rounded to bfloat16 and laid out as AMX tiles (16 rows of 64 bytes), with the per-row
//! norms that bound the rounding error of a bf16 similarity.

use rayon::prelude::*;

/// Rows per tile.
pub(crate) const TILE_ROWS: usize = 16;
/// bf16 values per tile row (64 bytes).
pub(crate) const TILE_K: usize = 32;
/// bf16 values per tile.
pub(crate) const TILE_LEN: usize = TILE_ROWS * TILE_K;

/// f32 to bf16, rounded to nearest even (finite inputs).
pub(crate) fn to_bf16(x: f32) -> u16 {
    let b = x.to_bits();
    (b.wrapping_add(0x7fff + ((b >> 16) & 1)) >> 16) as u16
}

/// bf16 to f32 (exact).
pub(crate) fn from_bf16(h: u16) -> f32 {
    f32::from_bits((h as u32) << 16)
}

/// How a tile stores its 16 rows x 32 columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// Row r, column c at r * 32 + c: the left operand of a tile product.
    Rows,
    /// Column pairs interleaved (VNNI): row r, column c at (c / 2) * 32 + 2 r + c % 2: the
    /// right operand, whose tile rows are pairs of columns.
    Pairs,
}

impl Layout {
    /// Position of (row, column) inside a tile.
    #[inline]
    pub(crate) fn at(self, r: usize, c: usize) -> usize {
        match self {
            Layout::Rows => r * TILE_K + c,
            Layout::Pairs => (c / 2) * TILE_K + 2 * r + c % 2,
        }
    }
}

/// A matrix in bf16 tiles: group g (rows 16 g .. 16 g + 16) and column chunk c (columns
/// 32 c .. 32 c + 32) is one tile of [`TILE_LEN`] values at `(g * chunks + c) * TILE_LEN`.
/// Rows and columns past the matrix are zeros; groups come in pairs (32 rows) for the 32 x 32
/// products.
pub(crate) struct Tiles {
    /// Column chunks per group.
    pub chunks: usize,
    /// The tiles.
    pub data: Vec<u16>,
    /// Per row, an upper bound of ||x - bf16(x)||.
    pub residual: Vec<f32>,
    /// Per row, an upper bound of ||bf16(x)||.
    pub rounded_norm: Vec<f32>,
}

/// f64 to f32 rounded up by a margin that covers the f64 sum's own rounding.
fn upper(x: f64) -> f32 {
    (x * (1.0 + 1e-9)) as f32 * (1.0 + 1e-6)
}

impl Tiles {
    /// Packs the rows of `x` (row-major, `dim` columns), each multiplied by its `scale`.
    pub(crate) fn pack(x: &[f32], dim: usize, scale: &[f32], layout: Layout) -> Tiles {
        let rows = x.len() / dim;
        let chunks = dim.div_ceil(TILE_K);
        let groups = rows.div_ceil(2 * TILE_ROWS) * 2;
        let group_len = chunks * TILE_LEN;
        let mut data = vec![0u16; groups * group_len];
        let mut residual = vec![0f32; groups * TILE_ROWS];
        let mut rounded_norm = vec![0f32; groups * TILE_ROWS];
        data.par_chunks_mut(group_len)
            .zip(residual.par_chunks_mut(TILE_ROWS))
            .zip(rounded_norm.par_chunks_mut(TILE_ROWS))
            .enumerate()
            .for_each(|(g, ((tiles, res), norm))| {
                for r in 0..TILE_ROWS.min(rows.saturating_sub(g * TILE_ROWS)) {
                    let row = g * TILE_ROWS + r;
                    let (mut e2, mut n2) = (0f64, 0f64);
                    for (c, &v) in x[row * dim..(row + 1) * dim].iter().enumerate() {
                        let v = v * scale[row];
                        let h = to_bf16(v);
                        let back = from_bf16(h) as f64;
                        e2 += (v as f64 - back) * (v as f64 - back);
                        n2 += back * back;
                        tiles[(c / TILE_K) * TILE_LEN + layout.at(r, c % TILE_K)] = h;
                    }
                    res[r] = upper(e2.sqrt());
                    norm[r] = upper(n2.sqrt());
                }
            });
        residual.truncate(rows);
        rounded_norm.truncate(rows);
        Tiles {
            chunks,
            data,
            residual,
            rounded_norm,
        }
    }

    /// The tiles of group `g`, chunk after chunk.
    pub(crate) fn group(&self, g: usize) -> &[u16] {
        let len = self.chunks * TILE_LEN;
        &self.data[g * len..(g + 1) * len]
    }
}
