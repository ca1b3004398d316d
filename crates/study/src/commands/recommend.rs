//! Which fusion of a study's encoders invariance alone picks per task, which one measured
//! best, and how well the two rankings agree (`cargo xtask fusion recommend`).

use std::path::Path;

use serde::Serialize;
use sslinv_fusion::{ProfileRecord, Recommendation, ScoreRecord, recommend_from_records};

use crate::error::{Result, StudyError};
use crate::io::read_json;
use crate::{Study, TaskRecommendation};

/// One task's recommendation from the study's tables, next to what the study stored.
#[derive(Debug, Serialize)]
pub struct TaskResult {
    /// The task.
    pub task: String,
    /// Its metric.
    pub metric: String,
    /// The subset whose measured score is best.
    pub measured_best: String,
    /// What invariance alone picks, and the full ranking.
    #[serde(flatten)]
    pub recommendation: Recommendation,
    /// The study's own recommendation (from validation probes of every subset), if stored.
    pub stored: Option<TaskRecommendation>,
}

/// Every chosen task's recommendation, with what the scores and profiles are.
#[derive(Debug, Serialize)]
pub struct FusionReport {
    /// The results folder.
    pub results: String,
    /// The study's dataset.
    pub dataset: String,
    /// What the measured scores are.
    pub scores: &'static str,
    /// Which invariance measures form the profiles.
    pub profiles: &'static str,
    /// Per task.
    pub tasks: Vec<TaskResult>,
}

fn profiles(study: &Study, multiview: bool) -> Vec<ProfileRecord> {
    let mut out: Vec<ProfileRecord> = study
        .synthetic
        .iter()
        .map(|e| ProfileRecord {
            model: e.model.clone(),
            measure: e.transform.clone(),
            value: e.mean_similarity,
        })
        .collect();
    if multiview {
        out.extend(study.multiview.iter().map(|e| ProfileRecord {
            model: e.model.clone(),
            measure: format!("view:{}", e.kind),
            value: e.similarity,
        }));
    }
    out
}

/// Tasks in first-seen order of the downstream table.
fn tasks(study: &Study) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in &study.downstream {
        if !out.contains(&e.task) {
            out.push(e.task.clone());
        }
    }
    out
}

fn recommend_task(study: &Study, task: &str, multiview: bool) -> Result<TaskResult> {
    let rows: Vec<_> = study.downstream.iter().filter(|e| e.task == task).collect();
    let metric = rows.first().map(|e| e.metric.clone()).unwrap_or_default();
    // Lower MSE is better: rank by its negative so higher is better everywhere.
    let sign = if metric == "mse" { -1.0 } else { 1.0 };
    let scores: Vec<ScoreRecord> = rows
        .iter()
        .map(|e| ScoreRecord {
            model: e.model.clone(),
            score: sign * e.score,
        })
        .collect();
    let mut recommendation = recommend_from_records(&profiles(study, multiview), &scores).map_err(
        StudyError::context(format!("recommendation for task `{task}`")),
    )?;
    for r in &mut recommendation.ranking {
        r.measured *= sign;
    }
    Ok(TaskResult {
        task: task.to_string(),
        metric,
        measured_best: recommendation
            .ranking
            .first()
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        recommendation,
        stored: study
            .recommendations
            .iter()
            .find(|r| r.task == task)
            .cloned(),
    })
}

/// Recommendations from the `study.json` under `results`, for `task` or every task with
/// downstream scores; `multiview` adds multi-view similarity to the profiles.
pub fn recommend_fusions(
    results: &Path,
    task: Option<&str>,
    multiview: bool,
) -> Result<FusionReport> {
    let study: Study = read_json(&results.join("study.json"))?;
    let all = tasks(&study);
    let chosen = match task {
        Some(t) if all.iter().any(|a| a == t) => vec![t.to_string()],
        Some(t) => {
            return Err(StudyError::Invalid(format!(
                "task `{t}` has no downstream scores in {} (tasks: {})",
                results.display(),
                all.join(", ")
            )));
        }
        None => all,
    };
    if chosen.is_empty() {
        return Err(StudyError::Invalid(format!(
            "{}: no downstream scores",
            results.display()
        )));
    }
    let tasks = chosen
        .iter()
        .map(|t| recommend_task(&study, t, multiview))
        .collect::<Result<Vec<_>>>()?;
    Ok(FusionReport {
        results: results.display().to_string(),
        dataset: study.dataset.clone(),
        scores: "downstream test scores of the study's single and fused models",
        profiles: if multiview {
            "synthetic mean similarity per transform and multi-view similarity per kind"
        } else {
            "synthetic mean similarity per transform"
        },
        tasks,
    })
}

fn fmt_corr(c: Option<f64>) -> String {
    c.map_or("-".into(), |c| format!("{c:+.3}"))
}

impl FusionReport {
    /// The report as a text table, a line per task.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{:<12} {:<28} {:<28} {:>9} | study (validation): picks / best / spearman\n",
            "task", "invariance picks", "measured best (test)", "spearman"
        );
        for t in &self.tasks {
            let stored = t.stored.as_ref().map_or("-".to_string(), |s| {
                format!(
                    "{} / {} / {}",
                    s.predicted_best,
                    s.measured_best,
                    fmt_corr(s.rank_correlation)
                )
            });
            out.push_str(&format!(
                "{:<12} {:<28} {:<28} {:>9} | {stored}\n",
                t.task,
                t.recommendation.predicted_best,
                t.measured_best,
                fmt_corr(t.recommendation.rank_correlation)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DownstreamEntry, SyntheticEntry};

    fn study() -> Study {
        let inv = [
            ("ventral", 0.9, 0.2),
            ("dorsal", 0.2, 0.9),
            ("default", 0.7, 0.7),
        ];
        let synthetic = inv
            .iter()
            .flat_map(|(m, rot, hue)| {
                [("rotation", *rot), ("hue", *hue)].map(|(t, v)| SyntheticEntry {
                    model: m.to_string(),
                    transform: t.into(),
                    mean_similarity: v,
                    ..Default::default()
                })
            })
            .collect();
        // An MSE task: lower is better, so dorsal (least rotation-invariant) wins.
        let downstream = [
            ("ventral", 0.7),
            ("dorsal", 0.2),
            ("default", 0.5),
            ("ventral+dorsal+default", 0.3),
        ]
        .map(|(m, s)| DownstreamEntry {
            model: m.into(),
            task: "rotation".into(),
            metric: "mse".into(),
            score: s,
            lambda: 1.0,
            ..Default::default()
        })
        .to_vec();
        Study {
            synthetic,
            downstream,
            ..Default::default()
        }
    }

    #[test]
    fn mse_tasks_rank_lowest_first_and_keep_their_scores() {
        let r = recommend_task(&study(), "rotation", false).unwrap();
        assert_eq!(r.measured_best, "dorsal");
        assert_eq!(r.recommendation.ranking[0].measured, 0.2);
        assert_eq!(r.recommendation.ranking.len(), 4);
        assert!(r.recommendation.needs[0].weight < 0.0);
        assert!(r.stored.is_none());
    }

    #[test]
    fn reads_the_study_and_rejects_unknown_tasks() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("study.json"),
            serde_json::to_string(&study()).unwrap(),
        )
        .unwrap();
        let report = recommend_fusions(dir.path(), None, false).unwrap();
        assert_eq!(report.tasks[0].measured_best, "dorsal");
        assert!(report.table().contains("rotation"));
        let err = recommend_fusions(dir.path(), Some("nope"), false).unwrap_err();
        assert!(err.to_string().contains("tasks: rotation"), "{err}");
    }
}
