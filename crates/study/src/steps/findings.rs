//! The findings step: the paper's claims checked on this run with 95 % intervals. A claim is
//! reproduced or not only when the intervals are disjoint; otherwise it is inconclusive.

use serde_json::Value;

use crate::error::Result;
use crate::gather::gather;
use crate::interval::{bootstrap_mean, separated, show};
use crate::io::{read_json, write_json};
use crate::models::{RANDOM, Role};
use crate::runner::Runner;
use crate::schema::{DownstreamEntry, Finding, Study, Verdict};
use crate::step::Step;

/// Tasks that need the pose or spatial layout (Dorsal should beat Ventral on them).
const POSE_TASKS: [&str; 5] = ["landmarks", "rotation", "300w", "lsp", "celeba"];
/// Tasks that need colour (Ventral should beat Dorsal on them).
const COLOUR_TASKS: [&str; 2] = ["hue", "flowers102"];

/// A value with its interval.
type Measured = (f64, Option<[f64; 2]>);

/// The verdict on "`a` is higher than `b`".
pub fn verdict(a: Measured, b: Measured) -> Verdict {
    if !a.0.is_finite() || !b.0.is_finite() {
        Verdict::NotMeasured
    } else if !separated(a.1, b.1) {
        Verdict::Inconclusive
    } else if a.0 > b.0 {
        Verdict::Reproduced
    } else {
        Verdict::NotReproduced
    }
}

fn finding(claim: &str, a: (&str, Measured), b: (&str, Measured), what: &str) -> Finding {
    let v = verdict(a.1, b.1);
    let detail = if v == Verdict::NotMeasured {
        format!("not measured: no {what} for {} and {}", a.0, b.0)
    } else {
        format!(
            "{what}: {} {}, {} {}",
            a.0,
            show(a.1.0, a.1.1),
            b.0,
            show(b.1.0, b.1.1)
        )
    };
    Finding {
        claim: claim.to_string(),
        verdict: v,
        detail,
    }
}

/// Mean over a family's transforms of a model's similarity, with a bootstrap interval over
/// images of the per-image family mean (every sweep sees the same images).
fn family(r: &Runner, model: &str, spatial: bool) -> Measured {
    let mut per_image: Vec<Vec<f64>> = Vec::new();
    let mut means = Vec::new();
    for t in r
        .preset
        .transforms()
        .into_iter()
        .filter(|t| t.is_spatial() == spatial)
    {
        let Ok(v) = read_json::<Value>(&r.layout.result(&["synthetic", model, t.name()])) else {
            continue;
        };
        means.push(v["mean_similarity"].as_f64().unwrap_or(f64::NAN));
        if let Some(p) = v["per_image"].as_array() {
            per_image.push(p.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect());
        }
    }
    if means.is_empty() {
        return (f64::NAN, None);
    }
    let mean = means.iter().sum::<f64>() / means.len() as f64;
    let n = per_image.iter().map(Vec::len).min().unwrap_or(0);
    let rows: Vec<f64> = (0..n)
        .map(|i| per_image.iter().map(|p| p[i]).sum::<f64>() / per_image.len() as f64)
        .collect();
    let ci = if per_image.len() == means.len() {
        bootstrap_mean(&rows, r.preset.invariance.bootstrap, r.preset.seed)
    } else {
        None
    };
    (mean, ci)
}

/// Mean over `tasks` (those measured) of a model's test score; the interval is the mean of the
/// per-task interval ends (only when every task has one).
fn task_mean(downstream: &[DownstreamEntry], model: &str, tasks: Option<&[&str]>) -> Measured {
    let rows: Vec<&DownstreamEntry> = downstream
        .iter()
        .filter(|e| e.model == model && tasks.is_none_or(|t| t.contains(&e.task.as_str())))
        .collect();
    if rows.is_empty() {
        return (f64::NAN, None);
    }
    let n = rows.len() as f64;
    let mean = rows.iter().map(|e| e.score).sum::<f64>() / n;
    let ci = rows
        .iter()
        .map(|e| e.ci95)
        .collect::<Option<Vec<_>>>()
        .map(|cs| {
            let lo = cs.iter().map(|c| c[0]).sum::<f64>() / n;
            let hi = cs.iter().map(|c| c[1]).sum::<f64>() / n;
            [lo, hi]
        });
    (mean, ci)
}

/// The findings of the study so far.
pub fn check(r: &Runner, study: &Study) -> Vec<Finding> {
    let has = |m: &str| r.plan.model(m).is_some();
    let mut out = Vec::new();
    if has("ventral") && has("dorsal") {
        out.push(finding(
            "Ventral (crop + flip) is more invariant than Dorsal to spatial transforms",
            ("ventral", family(r, "ventral", true)),
            ("dorsal", family(r, "dorsal", true)),
            "mean spatial similarity",
        ));
        out.push(finding(
            "Dorsal (colour jitter + grayscale + blur) is more invariant than Ventral to appearance transforms",
            ("dorsal", family(r, "dorsal", false)),
            ("ventral", family(r, "ventral", false)),
            "mean appearance similarity",
        ));
        let ds = &study.downstream;
        out.push(finding(
            "Dorsal (spatially sensitive) transfers better than Ventral to pose-like tasks",
            ("dorsal", task_mean(ds, "dorsal", Some(&POSE_TASKS))),
            ("ventral", task_mean(ds, "ventral", Some(&POSE_TASKS))),
            "mean score on pose-like tasks",
        ));
        out.push(finding(
            "Ventral (appearance sensitive) transfers better than Dorsal to colour tasks",
            ("ventral", task_mean(ds, "ventral", Some(&COLOUR_TASKS))),
            ("dorsal", task_mean(ds, "dorsal", Some(&COLOUR_TASKS))),
            "mean score on colour tasks",
        ));
    }
    let singles: Vec<&str> = r
        .plan
        .models
        .iter()
        .filter(|m| matches!(m.role, Role::Pretrained | Role::Given))
        .map(|m| m.name.as_str())
        .collect();
    let best = singles
        .iter()
        .map(|m| (*m, task_mean(&study.downstream, m, None)))
        .filter(|(_, s)| s.0.is_finite())
        .max_by(|a, b| a.1.0.total_cmp(&b.1.0));
    if let (Some(fused), Some((name, b))) =
        (r.plan.models.iter().find(|m| m.role == Role::Fusion), best)
    {
        let mut f = finding(
            "The fused model transfers better than the best single model (mean over tasks)",
            ("fused", task_mean(&study.downstream, &fused.name, None)),
            (name, b),
            "mean test score",
        );
        f.detail = f.detail.replacen("fused", &fused.name, 1);
        out.push(f);
    }
    if has(RANDOM) {
        let random = task_mean(&study.downstream, RANDOM, None);
        for m in &singles {
            out.push(finding(
                &format!("Pretraining helps: `{m}` transfers better than a random network (mean over tasks)"),
                (m, task_mean(&study.downstream, m, None)),
                (RANDOM, random),
                "mean test score",
            ));
        }
    }
    out
}

/// Checks the findings on the results so far and writes them.
pub fn run(r: &mut Runner, step: &Step) -> Result<()> {
    let study = gather(&r.preset, &r.plan, &r.layout, r.data.stats_dataset());
    let findings = check(r, &study);
    write_json(&step.outputs[0], &findings)
}
