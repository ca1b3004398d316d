//! Stage 3: downstream probes for each model and the fused model, and the fusion recommendation.

use super::plan::Plan;
use crate::report::write_atomic;
use crate::study::{DownstreamEntry, TaskRecommendation};
use anyhow::Context;
use sslinv_datasets::synth3d::Sample;
use sslinv_fusion::{Candidate, ScoredSubset, grid_shift, recommend};
use sslinv_heads::{Labels, Metric, ProbeConfig, Task, probe};
use std::path::Path;

/// The demo's downstream tasks: name, synth3d target, and whether it is classification.
pub const TASKS: [(&str, bool); 4] = [
    ("class", true),
    ("landmarks", false),
    ("hue", false),
    ("rotation", false),
];

/// Features of one model (or fusion) on the probe splits.
pub struct ProbeFeatures {
    /// Model name.
    pub name: String,
    /// Members fused (1 for a single model).
    pub members: usize,
    /// Feature dimension.
    pub dim: usize,
    /// Train rows (row-major).
    pub train: Vec<f32>,
    /// Test rows (row-major).
    pub test: Vec<f32>,
}

/// The labels of a task on a split.
pub fn labels(samples: &[Sample], task: &str, classification: bool) -> anyhow::Result<Labels> {
    if classification {
        return Ok(Labels::Classes(samples.iter().map(|s| s.class).collect()));
    }
    let mut values = Vec::new();
    let mut dim = 0;
    for s in samples {
        let t = s.target(task).with_context(|| format!("target `{task}`"))?;
        dim = t.len();
        values.extend(t);
    }
    Ok(Labels::Targets { values, dim })
}

fn config(plan: &Plan, classification: bool, members: usize) -> ProbeConfig {
    ProbeConfig {
        task: if classification {
            Task::Classification
        } else {
            Task::Regression
        },
        metric: if classification {
            Metric::Accuracy
        } else {
            Metric::R2
        },
        folds: plan.folds,
        grid_shift: grid_shift(members, 1.0),
        lambda: None,
        seed: plan.seed,
        paper_grid: false,
    }
}

/// Probes every model on every task; one JSON per (model, task).
pub fn downstream(
    plan: &Plan,
    models: &[ProbeFeatures],
    train: &[Sample],
    test: &[Sample],
    results: &Path,
) -> anyhow::Result<Vec<DownstreamEntry>> {
    let mut entries = Vec::new();
    for (task, classification) in TASKS {
        let (ytr, yte) = (
            labels(train, task, classification)?,
            labels(test, task, classification)?,
        );
        for m in models {
            let cfg = config(plan, classification, m.members);
            let result = probe(&m.train, &ytr, &m.test, &yte, m.dim, &cfg)
                .with_context(|| format!("probing `{}` on {task}", m.name))?;
            write_atomic(
                &results.join(format!("downstream_{}_{task}.json", m.name)),
                serde_json::to_string_pretty(&result)?.as_bytes(),
            )?;
            println!("  {:28} {task:10} {:.3}", m.name, result.test_score);
            entries.push(DownstreamEntry {
                model: m.name.clone(),
                task: task.to_string(),
                metric: if classification { "accuracy" } else { "r2" }.to_string(),
                score: result.test_score,
                lambda: result.lambda,
            });
        }
    }
    Ok(entries)
}

/// Rows `range` of a row-major matrix.
fn rows(data: &[f32], dim: usize, range: std::ops::Range<usize>) -> Vec<f32> {
    data[range.start * dim..range.end * dim].to_vec()
}

/// For each task: probe every subset of the single models on a held-out part of the training
/// split, and rank subsets from invariance profiles alone (`profiles`: per model, per transform).
pub fn recommendations(
    plan: &Plan,
    singles: &[ProbeFeatures],
    transforms: &[String],
    profiles: &[Vec<f64>],
    train: &[Sample],
) -> anyhow::Result<Vec<TaskRecommendation>> {
    let n_val = train.len() / 4;
    let n_fit = train.len() - n_val;
    let candidates: Vec<Candidate> = singles
        .iter()
        .zip(profiles)
        .map(|(m, p)| Candidate {
            name: m.name.clone(),
            profile: p.clone(),
        })
        .collect();
    let subsets: Vec<Vec<usize>> = (1..(1usize << singles.len()))
        .map(|mask| {
            (0..singles.len())
                .filter(|i| mask & (1 << i) != 0)
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    for (task, classification) in TASKS {
        let y_fit = labels(&train[..n_fit], task, classification)?;
        let y_val = labels(&train[n_fit..], task, classification)?;
        let mut scored = Vec::new();
        for members in &subsets {
            let parts: Vec<(Vec<f32>, usize)> = members
                .iter()
                .map(|&i| (singles[i].train.clone(), singles[i].dim))
                .collect();
            let refs: Vec<(&[f32], usize)> =
                parts.iter().map(|(d, k)| (d.as_slice(), *k)).collect();
            let fused = super::encode::concat_rows(&refs, train.len());
            let dim: usize = parts.iter().map(|p| p.1).sum();
            let cfg = config(plan, classification, members.len());
            let r = probe(
                &rows(&fused, dim, 0..n_fit),
                &y_fit,
                &rows(&fused, dim, n_fit..train.len()),
                &y_val,
                dim,
                &cfg,
            )
            .with_context(|| format!("validation probe of subset {members:?} on {task}"))?;
            scored.push(ScoredSubset {
                members: members.clone(),
                score: r.test_score,
            });
        }
        let rec = recommend(transforms, &candidates, &scored)
            .with_context(|| format!("fusion recommendation for {task}"))?;
        out.push(TaskRecommendation {
            task: task.to_string(),
            predicted_best: rec.predicted_best.clone(),
            measured_best: rec
                .ranking
                .first()
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            rank_correlation: rec.rank_correlation,
        });
    }
    Ok(out)
}
