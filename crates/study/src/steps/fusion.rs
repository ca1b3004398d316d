//! The fusion step: for one task, every subset of the fused models is probed on a held-out part
//! of the training split and ranked from the members' invariance profiles alone; how well the
//! profiles predicted the measured ranking is the paper's fusion claim.

use serde::{Deserialize, Serialize};
use sslinv_fusion::{Candidate, Recommendation, ScoredSubset, recommend};
use sslinv_heads::{Labels, probe, rankme, spearman};

use crate::error::{Result, StudyError};
use crate::io::{read_json, write_json};
use crate::models::Role;
use crate::runner::Runner;
use crate::step::Step;

/// What the fusion step writes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FusionRecord {
    /// Task name.
    pub task: String,
    /// The subset invariance alone would choose.
    pub predicted_best: String,
    /// The subset with the best validation score.
    pub measured_best: String,
    /// Spearman correlation of predicted and measured subset scores.
    pub rank_correlation: Option<f64>,
    /// Spearman correlation of the subsets' RankMe (no labels) and their measured scores.
    pub rankme_correlation: Option<f64>,
    /// RankMe of each subset's fit features, in `recommendation`'s subset order.
    pub rankme: Vec<(String, f64)>,
    /// The whole recommendation (needs per transform, ranking).
    pub recommendation: serde_json::Value,
}

/// Rows `range` of a row-major matrix.
fn rows(data: &[f32], dim: usize, range: std::ops::Range<usize>) -> Vec<f32> {
    data[range.start * dim..range.end * dim].to_vec()
}

/// Labels `range` of a label set.
fn label_rows(y: &Labels, range: std::ops::Range<usize>) -> Labels {
    match y {
        Labels::Classes(c) => Labels::Classes(c[range].to_vec()),
        Labels::Targets { values, dim } => Labels::Targets {
            values: values[range.start * dim..range.end * dim].to_vec(),
            dim: *dim,
        },
    }
}

/// Scores every subset of the fusion's members on `task` and ranks them from invariance.
pub fn run(r: &mut Runner, task: &str, step: &Step) -> Result<()> {
    let fused = r
        .plan
        .models
        .iter()
        .find(|m| m.role == Role::Fusion)
        .ok_or_else(|| StudyError::Invalid("the plan has no fusion".into()))?;
    let members = fused.members();
    let task_def = r
        .plan
        .task(task)
        .cloned()
        .ok_or_else(|| StudyError::Invalid(format!("no task `{task}`")))?;
    let transforms: Vec<String> = r
        .preset
        .transforms()
        .iter()
        .map(|t| t.name().to_string())
        .collect();
    let mut candidates = Vec::with_capacity(members.len());
    for m in &members {
        let mut profile = Vec::with_capacity(transforms.len());
        for t in &transforms {
            let v: serde_json::Value = read_json(&r.layout.result(&["synthetic", m, t]))?;
            profile.push(v["mean_similarity"].as_f64().unwrap_or(f64::NAN));
        }
        candidates.push(Candidate {
            name: m.clone(),
            profile,
        });
    }
    let y = r.data.labels(&task_def, "train", &r.preset)?;
    let n = match &y {
        Labels::Classes(c) => c.len(),
        Labels::Targets { values, dim } => values.len() / (*dim).max(1),
    };
    let n_val = ((n as f64) * r.preset.fusion.val_share).round() as usize;
    let n_fit = n - n_val;
    let (y_fit, y_val) = (label_rows(&y, 0..n_fit), label_rows(&y, n_fit..n));
    let mut scored = Vec::new();
    let mut rankmes = Vec::new();
    for mask in 1..(1usize << members.len()) {
        let subset: Vec<usize> = (0..members.len())
            .filter(|i| mask & (1 << i) != 0)
            .collect();
        let names: Vec<String> = subset.iter().map(|&i| members[i].clone()).collect();
        let (x, rows_n, dim) = super::features::fused(r, &names, &task_def.dataset, "train")?;
        crate::error::check_rows("fusion labels", rows_n, n)?;
        let fit_x = rows(&x, dim, 0..n_fit);
        rankmes.push((names.join("+"), rankme(&fit_x, dim)?.rankme));
        let cfg = super::probe::config(r, &task_def.dataset, &y, &names);
        let res = probe(&fit_x, &y_fit, &rows(&x, dim, n_fit..n), &y_val, dim, &cfg)?;
        scored.push(ScoredSubset {
            members: subset,
            score: res.test_score,
        });
    }
    let rankme_correlation = spearman(
        &rankmes.iter().map(|r| r.1).collect::<Vec<_>>(),
        &scored.iter().map(|s| s.score).collect::<Vec<_>>(),
    );
    let rec: Recommendation = recommend(&transforms, &candidates, &scored)?;
    let record = FusionRecord {
        task: task.to_string(),
        predicted_best: rec.predicted_best.clone(),
        measured_best: rec
            .ranking
            .first()
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        rank_correlation: rec.rank_correlation,
        rankme_correlation,
        rankme: rankmes,
        recommendation: serde_json::to_value(&rec).map_err(|source| StudyError::Json {
            path: step.outputs[0].clone(),
            source,
        })?,
    };
    write_json(&step.outputs[0], &record)
}
