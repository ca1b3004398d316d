//! Choosing a fusion for a task from invariance profiles and a small labelled validation split.
//!
//! The paper's claim is that transfer follows invariance: a task that needs sensitivity to a
//! transform suffers from encoders invariant to it. We estimate from single encoders how a task's
//! validation score moves with each invariance (its "needs"), predict each subset's score from
//! its members' profiles, and report how well that prediction ranked the subsets that were
//! actually probed.

use crate::error::{FusionError, Result};
use crate::rank::{pearson, spearman};
use serde::Serialize;

/// One candidate encoder: its name and its invariance profile (similarity per transform).
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Name shown in the ranking.
    pub name: String,
    /// Invariance (e.g. mean whitened cosine similarity) per transform, aligned with `transforms`.
    pub profile: Vec<f64>,
}

/// A subset of candidates, by index, with its measured validation score.
#[derive(Debug, Clone)]
pub struct ScoredSubset {
    /// Indices into the candidate list.
    pub members: Vec<usize>,
    /// Validation score of a probe on the subset's fused features (higher is better).
    pub score: f64,
}

/// How much a task gains from invariance to one transform.
#[derive(Debug, Clone, Serialize)]
pub struct TransformNeed {
    /// Transform name.
    pub transform: String,
    /// Correlation across single encoders between invariance and validation score.
    pub weight: f64,
}

/// One ranked subset in a recommendation.
#[derive(Debug, Clone, Serialize)]
pub struct RankedSubset {
    /// Member names joined with `+`, as a model spec fuses them.
    pub name: String,
    /// Score predicted from invariance profiles alone.
    pub predicted: f64,
    /// Measured validation score.
    pub measured: f64,
}

/// A task's recommendation: subsets by measured score and how well invariance predicted them.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    /// The task's estimated needs per transform.
    pub needs: Vec<TransformNeed>,
    /// Subsets, best measured first.
    pub ranking: Vec<RankedSubset>,
    /// Spearman correlation between predicted and measured scores (None if undefined).
    pub rank_correlation: Option<f64>,
    /// The subset that invariance alone would have chosen.
    pub predicted_best: String,
}

/// A fused subset's invariance to one transform: a linear probe on concatenated features can use
/// the most invariant member where the task wants invariance and the most sensitive one where it
/// wants sensitivity.
fn fused_invariance(candidates: &[Candidate], members: &[usize], t: usize, weight: f64) -> f64 {
    let values = members.iter().map(|&m| candidates[m].profile[t]);
    if weight >= 0.0 {
        values.fold(f64::NEG_INFINITY, f64::max)
    } else {
        values.fold(f64::INFINITY, f64::min)
    }
}

/// Ranks subsets for a task from the candidates' invariance profiles and measured scores.
///
/// `subsets` must contain every single candidate (to estimate the task's needs) and may hold any
/// fused subsets; needs are correlations across single candidates, so at least three are needed.
pub fn recommend(
    transforms: &[String],
    candidates: &[Candidate],
    subsets: &[ScoredSubset],
) -> Result<Recommendation> {
    if candidates.len() < 3 {
        return Err(FusionError::TooFew(format!(
            "recommend needs at least 3 candidate encoders to estimate a task's needs, got {}",
            candidates.len()
        )));
    }
    for c in candidates {
        if c.profile.len() != transforms.len() {
            return Err(FusionError::Mismatch(format!(
                "profile of `{}` has {} values for {} transforms",
                c.name,
                c.profile.len(),
                transforms.len()
            )));
        }
        if c.profile.iter().any(|v| !v.is_finite()) {
            return Err(FusionError::NonFinite(format!("profile of `{}`", c.name)));
        }
    }
    let mut single = vec![None; candidates.len()];
    for s in subsets {
        if !s.score.is_finite() {
            return Err(FusionError::NonFinite("a subset's validation score".into()));
        }
        if s.members.is_empty() || s.members.iter().any(|&m| m >= candidates.len()) {
            return Err(FusionError::Mismatch(format!(
                "subset {:?} names candidates outside 0..{}",
                s.members,
                candidates.len()
            )));
        }
        if let [m] = s.members[..] {
            single[m] = Some(s.score);
        }
    }
    let single: Vec<f64> = single
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            s.ok_or_else(|| {
                FusionError::Mismatch(format!("no single score for `{}`", candidates[i].name))
            })
        })
        .collect::<Result<_>>()?;

    let needs: Vec<TransformNeed> = transforms
        .iter()
        .enumerate()
        .map(|(t, name)| {
            let inv: Vec<f64> = candidates.iter().map(|c| c.profile[t]).collect();
            TransformNeed {
                transform: name.clone(),
                weight: pearson(&inv, &single).unwrap_or(0.0),
            }
        })
        .collect();

    let name_of = |members: &[usize]| {
        members
            .iter()
            .map(|&m| candidates[m].name.as_str())
            .collect::<Vec<_>>()
            .join("+")
    };
    let mut ranking: Vec<RankedSubset> = subsets
        .iter()
        .map(|s| RankedSubset {
            name: name_of(&s.members),
            predicted: needs
                .iter()
                .enumerate()
                .map(|(t, need)| {
                    need.weight * fused_invariance(candidates, &s.members, t, need.weight)
                })
                .sum(),
            measured: s.score,
        })
        .collect();
    let predicted: Vec<f64> = ranking.iter().map(|r| r.predicted).collect();
    let measured: Vec<f64> = ranking.iter().map(|r| r.measured).collect();
    let rank_correlation = spearman(&predicted, &measured);
    let predicted_best = ranking
        .iter()
        .max_by(|a, b| a.predicted.total_cmp(&b.predicted))
        .map(|r| r.name.clone())
        .unwrap_or_default();
    ranking.sort_by(|a, b| b.measured.total_cmp(&a.measured));
    Ok(Recommendation {
        needs,
        ranking,
        rank_correlation,
        predicted_best,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates() -> Vec<Candidate> {
        // Two transforms: spatial, appearance. A task that needs spatial sensitivity.
        vec![
            Candidate {
                name: "ventral".into(),
                profile: vec![0.9, 0.2],
            },
            Candidate {
                name: "dorsal".into(),
                profile: vec![0.2, 0.9],
            },
            Candidate {
                name: "default".into(),
                profile: vec![0.7, 0.7],
            },
        ]
    }

    #[test]
    fn learns_needs_and_ranks_subsets() {
        let transforms = vec!["rotation".to_string(), "hue".to_string()];
        let subsets = vec![
            ScoredSubset {
                members: vec![0],
                score: 0.3,
            },
            ScoredSubset {
                members: vec![1],
                score: 0.8,
            },
            ScoredSubset {
                members: vec![2],
                score: 0.5,
            },
            ScoredSubset {
                members: vec![0, 1],
                score: 0.85,
            },
            ScoredSubset {
                members: vec![0, 2],
                score: 0.55,
            },
        ];
        let rec = recommend(&transforms, &candidates(), &subsets).unwrap();
        assert!(rec.needs[0].weight < 0.0, "task wants rotation sensitivity");
        assert!(rec.needs[1].weight > 0.0, "task tolerates hue invariance");
        assert_eq!(rec.ranking[0].name, "ventral+dorsal");
        assert_eq!(rec.predicted_best, "ventral+dorsal");
        assert!(
            rec.rank_correlation.unwrap() > 0.8,
            "{:?}",
            rec.rank_correlation
        );
    }

    #[test]
    fn needs_every_single_score() {
        let transforms = vec!["rotation".to_string(), "hue".to_string()];
        let subsets = vec![ScoredSubset {
            members: vec![0, 1],
            score: 0.5,
        }];
        let err = recommend(&transforms, &candidates(), &subsets).unwrap_err();
        assert!(err.to_string().contains("ventral"), "{err}");
    }
}
