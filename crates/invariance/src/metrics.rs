//! The paper's per-pair metrics on whitened features.
//!
//! With z = (mu - f) L and L L^T = Sigma^-1, ||z_a - z_b|| is exactly the Mahalanobis distance
//! of a and b, so both metrics need only the whitened rows.

/// Cosine similarity as torch's `F.cosine_similarity` (eps 1e-8 on the norm product).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut ab, mut aa, mut bb) = (0f64, 0f64, 0f64);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (x as f64, y as f64);
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    (ab / (aa * bb).max(1e-16).sqrt()) as f32
}

/// Euclidean distance (on whitened rows: the Mahalanobis distance of the raw features).
pub fn l2(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| {
            let d = x as f64 - y as f64;
            d * d
        })
        .sum::<f64>()
        .sqrt() as f32
}

/// Similarity and distance of each of `k` whitened view rows to the whitened clean row.
pub fn compare_to_clean(z_clean: &[f32], z_views: &[f32], dim: usize) -> Vec<(f32, f32)> {
    z_views
        .chunks_exact(dim.max(1))
        .map(|z| (cosine(z_clean, z), l2(z_clean, z)))
        .collect()
}

/// Mean cosine over all k x k pairs of whitened rows, the diagonal included (as the paper).
pub fn group_similarity(z: &[f32], dim: usize) -> f64 {
    let rows: Vec<&[f32]> = z.chunks_exact(dim.max(1)).collect();
    let k = rows.len();
    if k == 0 {
        return f64::NAN;
    }
    let mut total = 0.0;
    for (i, a) in rows.iter().enumerate() {
        // Symmetric: each off-diagonal pair counts twice.
        total += cosine(a, a) as f64;
        for b in &rows[i + 1..] {
            total += 2.0 * cosine(a, b) as f64;
        }
    }
    total / (k * k) as f64
}

/// Mean L2 distance over the k (k - 1) / 2 distinct pairs of whitened rows (torch.pdist).
pub fn group_distance(z: &[f32], dim: usize) -> f64 {
    let rows: Vec<&[f32]> = z.chunks_exact(dim.max(1)).collect();
    let k = rows.len();
    if k < 2 {
        return f64::NAN;
    }
    let mut total = 0.0;
    for (i, a) in rows.iter().enumerate() {
        for b in &rows[i + 1..] {
            total += l2(a, b) as f64;
        }
    }
    total / (k * (k - 1) / 2) as f64
}
