//! Real-world (multi-view) invariance of given features: per group of views, the mean whitened
//! cosine over all k x k pairs (diagonal included) and the mean pairwise L2, then means over groups.

use serde::{Deserialize, Serialize};

use crate::error::{InvarianceError, Result};
use crate::metrics::{group_distance, group_similarity};
use crate::stats::{FeatureStats, StatsSummary};

/// Scores of one group of views.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct GroupScore {
    /// Index of the group in the dataset's group list.
    pub group: usize,
    /// Number of views.
    pub n_views: usize,
    /// Mean whitened cosine over all k x k pairs.
    pub similarity: f64,
    /// Mean L2 distance over distinct pairs of whitened views.
    pub distance: f64,
}

/// Multi-view scores of a set of groups.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MultiviewScores {
    /// Mean of the group similarities.
    pub similarity: f64,
    /// Mean of the group distances.
    pub distance: f64,
    /// Number of groups.
    pub n_groups: usize,
    /// Per-group values.
    pub groups: Vec<GroupScore>,
}

/// The `invariance multiview` result file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MultiviewResult {
    /// Dataset (and group kind) measured.
    pub dataset: String,
    /// Model spec.
    pub model: String,
    /// The scores.
    #[serde(flatten)]
    pub scores: MultiviewScores,
    /// Statistics used for whitening.
    pub stats: StatsSummary,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Scores groups of rows of `features` (row-major, `stats.dim` columns); each group lists row
/// indices and needs at least two views.
pub fn score_groups(
    stats: &FeatureStats,
    features: &[f32],
    groups: &[Vec<usize>],
) -> Result<MultiviewScores> {
    let d = stats.dim;
    if d == 0 || !features.len().is_multiple_of(d) {
        return Err(InvarianceError::Shape {
            what: "multiview features".into(),
            expected: d,
            got: features.len(),
        });
    }
    let n = features.len() / d;
    let z = stats.whiten(features, n)?;
    let mut out = Vec::with_capacity(groups.len());
    for (g, rows) in groups.iter().enumerate() {
        if rows.len() < 2 {
            return Err(InvarianceError::Invalid(format!(
                "group {g} has {} view(s); at least 2 needed",
                rows.len()
            )));
        }
        let mut zg = Vec::with_capacity(rows.len() * d);
        for &r in rows {
            if r >= n {
                return Err(InvarianceError::Invalid(format!(
                    "group {g} names row {r} of {n}"
                )));
            }
            zg.extend_from_slice(&z[r * d..(r + 1) * d]);
        }
        out.push(GroupScore {
            group: g,
            n_views: rows.len(),
            similarity: group_similarity(&zg, d),
            distance: group_distance(&zg, d),
        });
    }
    let avg = |f: fn(&GroupScore) -> f64| out.iter().map(f).sum::<f64>() / out.len().max(1) as f64;
    Ok(MultiviewScores {
        similarity: avg(|g| g.similarity),
        distance: avg(|g| g.distance),
        n_groups: out.len(),
        groups: out,
    })
}
