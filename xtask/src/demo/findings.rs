//! Stage 4: check the paper's direction of findings on this run, without tuning toward them.

use crate::study::{DownstreamEntry, Finding, SyntheticEntry};

fn family_mean(synthetic: &[SyntheticEntry], model: &str, family: &str) -> Option<f64> {
    let v: Vec<f64> = synthetic
        .iter()
        .filter(|e| e.model == model && e.family == family)
        .map(|e| e.mean_similarity)
        .collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

fn task_mean(downstream: &[DownstreamEntry], model: &str) -> Option<f64> {
    let v: Vec<f64> = downstream
        .iter()
        .filter(|e| e.model == model)
        .map(|e| e.score)
        .collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

fn compare(
    claim: &str,
    family: &str,
    synthetic: &[SyntheticEntry],
    more: &str,
    less: &str,
) -> Finding {
    match (
        family_mean(synthetic, more, family),
        family_mean(synthetic, less, family),
    ) {
        (Some(a), Some(b)) => Finding {
            claim: claim.to_string(),
            holds: a > b,
            detail: format!("mean {family} similarity: {more} {a:.3}, {less} {b:.3}"),
        },
        _ => Finding {
            claim: claim.to_string(),
            holds: false,
            detail: format!("not measured: no {family} results for {more} and {less}"),
        },
    }
}

/// The three findings the demo checks.
pub fn check(
    synthetic: &[SyntheticEntry],
    downstream: &[DownstreamEntry],
    singles: &[String],
    fused: &str,
) -> Vec<Finding> {
    let mut out = vec![
        compare(
            "Ventral (crop + flip) is more invariant than Dorsal to spatial transforms",
            "spatial",
            synthetic,
            "ventral",
            "dorsal",
        ),
        compare(
            "Dorsal (colour jitter + grayscale + blur) is more invariant than Ventral to appearance transforms",
            "appearance",
            synthetic,
            "dorsal",
            "ventral",
        ),
    ];
    let best = singles
        .iter()
        .filter_map(|m| task_mean(downstream, m).map(|s| (m.clone(), s)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let claim =
        "The fused model transfers at least as well as the best single model (mean over tasks)";
    out.push(match (best, task_mean(downstream, fused)) {
        (Some((name, b)), Some(f)) => Finding {
            claim: claim.to_string(),
            holds: f >= b,
            detail: format!("mean test score: fused {f:.3}, best single ({name}) {b:.3}"),
        },
        _ => Finding {
            claim: claim.to_string(),
            holds: false,
            detail: "not measured".to_string(),
        },
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syn(model: &str, family: &str, s: f64) -> SyntheticEntry {
        SyntheticEntry {
            model: model.into(),
            transform: format!("{family}-t"),
            family: family.into(),
            mean_similarity: s,
            ..SyntheticEntry::default()
        }
    }

    fn ds(model: &str, score: f64) -> DownstreamEntry {
        DownstreamEntry {
            model: model.into(),
            task: "t".into(),
            score,
            ..DownstreamEntry::default()
        }
    }

    #[test]
    fn verdicts_follow_the_numbers() {
        let synthetic = vec![
            syn("ventral", "spatial", 0.8),
            syn("dorsal", "spatial", 0.5),
            syn("ventral", "appearance", 0.7),
            syn("dorsal", "appearance", 0.6),
        ];
        let downstream = vec![ds("ventral", 0.5), ds("dorsal", 0.7), ds("fused", 0.65)];
        let singles = vec!["ventral".to_string(), "dorsal".to_string()];
        let f = check(&synthetic, &downstream, &singles, "fused");
        assert!(f[0].holds);
        assert!(!f[1].holds, "dorsal is less appearance-invariant here");
        assert!(!f[2].holds && f[2].detail.contains("dorsal"));
    }
}
