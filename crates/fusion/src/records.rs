//! Building a recommendation from flat result tables (model, measure, value), as a study's JSON
//! stores them: fused models are named by their members joined with `+` (read with
//! `sslinv_encoders::split_fused`, the one place that knows the syntax).

use crate::error::{FusionError, Result};
use crate::recommend::{Candidate, Recommendation, ScoredSubset, recommend};
use sslinv_encoders::{FuseMode, is_fused, split_fused};

/// One invariance measurement of a single (unfused) model.
#[derive(Debug, Clone)]
pub struct ProfileRecord {
    /// Model name.
    pub model: String,
    /// What was measured (a transform or a view kind).
    pub measure: String,
    /// Invariance (higher is more invariant).
    pub value: f64,
}

/// One probe score of a model or a `+`-joined fusion on the task.
#[derive(Debug, Clone)]
pub struct ScoreRecord {
    /// Model name (`a+b` for a fusion).
    pub model: String,
    /// Score (higher is better).
    pub score: f64,
}

fn first_seen<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    }
    out
}

/// Recommends a fusion from profile and score tables.
///
/// Candidates are the unfused models with profiles; measures missing for any candidate are
/// dropped; scores of models with a member that has no profile, and of fusions by another mode
/// than concatenation (`mean:a+b`), are ignored.
pub fn recommend_from_records(
    profiles: &[ProfileRecord],
    scores: &[ScoreRecord],
) -> Result<Recommendation> {
    let names = first_seen(
        profiles
            .iter()
            .filter(|p| !is_fused(&p.model))
            .map(|p| p.model.as_str()),
    );
    let value = |model: &str, measure: &str| {
        profiles
            .iter()
            .find(|p| p.model == model && p.measure == measure)
            .map(|p| p.value)
    };
    let measures: Vec<String> = first_seen(profiles.iter().map(|p| p.measure.as_str()))
        .into_iter()
        .filter(|m| names.iter().all(|n| value(n, m).is_some()))
        .collect();
    if measures.is_empty() {
        return Err(FusionError::TooFew(
            "no invariance measure is present for every candidate model".into(),
        ));
    }
    let candidates: Vec<Candidate> = names
        .iter()
        .map(|n| Candidate {
            name: n.clone(),
            profile: measures
                .iter()
                .map(|m| value(n, m).unwrap_or(f64::NAN))
                .collect(),
        })
        .collect();
    let mut subsets: Vec<ScoredSubset> = Vec::new();
    for s in scores {
        // Subsets are ranked as the paper fuses them, by concatenation.
        let Ok((None | Some(FuseMode::Cat), texts)) = split_fused(&s.model) else {
            continue;
        };
        let members: Option<Vec<usize>> = texts
            .iter()
            .map(|m| names.iter().position(|n| n == m))
            .collect();
        if let Some(members) = members
            && !subsets.iter().any(|x| x.members == members)
        {
            subsets.push(ScoredSubset {
                members,
                score: s.score,
            });
        }
    }
    recommend(&measures, &candidates, &subsets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(model: &str, measure: &str, value: f64) -> ProfileRecord {
        ProfileRecord {
            model: model.into(),
            measure: measure.into(),
            value,
        }
    }

    fn s(model: &str, score: f64) -> ScoreRecord {
        ScoreRecord {
            model: model.into(),
            score,
        }
    }

    #[test]
    fn builds_candidates_and_subsets_from_tables() {
        let profiles = vec![
            p("ventral", "rotation", 0.9),
            p("ventral", "hue", 0.2),
            p("dorsal", "rotation", 0.2),
            p("dorsal", "hue", 0.9),
            p("default", "rotation", 0.7),
            p("default", "hue", 0.7),
            // Measured for one model only: dropped.
            p("default", "blur", 0.5),
            // A fusion's own profile is not a candidate.
            p("ventral+dorsal", "rotation", 0.5),
        ];
        let scores = vec![
            s("ventral", 0.3),
            s("dorsal", 0.8),
            s("default", 0.5),
            s("ventral+dorsal", 0.85),
            s("ventral+default", 0.55),
            s("unknown+dorsal", 0.99),
        ];
        let rec = recommend_from_records(&profiles, &scores).unwrap();
        let needs: Vec<&str> = rec.needs.iter().map(|n| n.transform.as_str()).collect();
        assert_eq!(needs, ["rotation", "hue"]);
        assert_eq!(
            rec.ranking.len(),
            5,
            "the unknown member's fusion is ignored"
        );
        assert_eq!(rec.ranking[0].name, "ventral+dorsal");
        assert_eq!(rec.predicted_best, "ventral+dorsal");
    }

    #[test]
    fn no_shared_measure_is_an_error() {
        let profiles = vec![p("a", "x", 0.1), p("b", "y", 0.2), p("c", "z", 0.3)];
        assert!(recommend_from_records(&profiles, &[s("a", 1.0)]).is_err());
    }
}
