//! The paper's per-pair metrics on whitened features.
//!
//! With z = (mu - f) L and L L^T = Sigma^-1, ||z_a - z_b|| is exactly the Mahalanobis distance
//! of a and b, so both metrics need only the whitened rows.

/// Independent f64 partial sums: a single accumulator is one serial chain of dependent adds,
/// eight let the compiler keep them in a vector register.
const LANES: usize = 8;

/// `(a.b, a.a, b.b)` in f64.
fn dots(a: &[f32], b: &[f32]) -> (f64, f64, f64) {
    let (mut ab, mut aa, mut bb) = ([0f64; LANES], [0f64; LANES], [0f64; LANES]);
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (mut tab, mut taa, mut tbb) = (0.0, 0.0, 0.0);
    for (&x, &y) in ca.remainder().iter().zip(cb.remainder()) {
        let (x, y) = (x as f64, y as f64);
        tab += x * y;
        taa += x * x;
        tbb += y * y;
    }
    for (x, y) in ca.zip(cb) {
        for l in 0..LANES {
            let (x, y) = (x[l] as f64, y[l] as f64);
            ab[l] += x * y;
            aa[l] += x * x;
            bb[l] += y * y;
        }
    }
    let total = |v: [f64; LANES]| v.iter().sum::<f64>();
    (total(ab) + tab, total(aa) + taa, total(bb) + tbb)
}

/// Cosine similarity as torch's `F.cosine_similarity` (eps 1e-8 on the norm product).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (ab, aa, bb) = dots(a, b);
    (ab / (aa * bb).max(1e-16).sqrt()) as f32
}

/// Euclidean distance (on whitened rows: the Mahalanobis distance of the raw features).
pub fn l2(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f64; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let mut tail = 0.0;
    for (&x, &y) in ca.remainder().iter().zip(cb.remainder()) {
        tail += (x as f64 - y as f64).powi(2);
    }
    for (x, y) in ca.zip(cb) {
        for l in 0..LANES {
            let d = x[l] as f64 - y[l] as f64;
            acc[l] += d * d;
        }
    }
    (acc.iter().sum::<f64>() + tail).sqrt() as f32
}

/// Similarity and distance of each of `k` whitened view rows to the whitened clean row.
pub fn compare_to_clean(z_clean: &[f32], z_views: &[f32], dim: usize) -> Vec<(f32, f32)> {
    z_views
        .chunks_exact(dim.max(1))
        .map(|z| {
            // |a - b|^2 = a.a + b.b - 2 a.b loses digits when a and b are close: keep l2 exact.
            (cosine(z_clean, z), l2(z_clean, z))
        })
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
