//! The report's tables as rows of cells, shared by the HTML and Markdown views.

use super::charts::ordered;
use crate::models::Role;
use crate::schema::{Interval, Study};

/// A table: header cells and rows of cells.
pub struct Table {
    /// Column headers.
    pub header: Vec<String>,
    /// Rows of formatted cells.
    pub rows: Vec<Vec<String>>,
}

fn cell(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.3}"))
}

/// A value with its 95 % interval when there is one.
fn cell_ci(value: Option<f64>, ci: Option<[f64; 2]>) -> String {
    match (value, ci) {
        (Some(v), Some([lo, hi])) => format!("{v:.3} [{lo:.3}, {hi:.3}]"),
        (v, _) => cell(v),
    }
}

/// A model's column or row label: baselines are marked.
pub fn label(study: &Study, model: &str) -> String {
    match study
        .models
        .iter()
        .find(|m| m.name == model)
        .map(|m| m.role)
    {
        Some(Role::Baseline) => format!("{model} (baseline)"),
        _ => model.to_string(),
    }
}

/// Models and how they were made.
pub fn models(study: &Study) -> Table {
    Table {
        header: [
            "model",
            "role",
            "made by",
            "dim",
            "pretrain s",
            "final loss",
            "final acc",
        ]
        .map(String::from)
        .to_vec(),
        rows: study
            .models
            .iter()
            .map(|m| {
                vec![
                    m.name.clone(),
                    format!("{:?}", m.role).to_lowercase(),
                    m.description.clone(),
                    m.dim.to_string(),
                    format!("{:.0}", m.pretrain_seconds),
                    cell(m.final_loss),
                    cell(m.final_accuracy),
                ]
            })
            .collect(),
    }
}

/// A row per key, a column per model (in first-seen order): the key, the cells `lead` gives it,
/// then each model's value with its interval; `cells` are (key, model, value, interval), the
/// first of a pair counting.
fn per_model<'a>(
    study: &Study,
    header: &[&str],
    cells: impl IntoIterator<Item = (&'a str, &'a str, f64, Interval)>,
    lead: impl Fn(&str) -> Vec<String>,
) -> Table {
    let cells: Vec<_> = cells.into_iter().collect();
    let models = ordered(cells.iter().map(|c| c.1));
    let keys = ordered(cells.iter().map(|c| c.0));
    let mut header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    header.extend(models.iter().map(|m| label(study, m)));
    let rows = keys
        .iter()
        .map(|k| {
            let mut row = vec![k.clone()];
            row.extend(lead(k));
            row.extend(models.iter().map(|m| {
                let c = cells.iter().find(|c| c.1 == m && c.0 == k);
                cell_ci(c.map(|c| c.2), c.and_then(|c| c.3))
            }));
            row
        })
        .collect();
    Table { header, rows }
}

/// Mean synthetic similarity: a row per transform, a column per model.
pub fn synthetic(study: &Study) -> Table {
    let family = |t: &str| {
        let e = study.synthetic.iter().find(|e| e.transform == t);
        vec![e.map(|e| e.family.clone()).unwrap_or_default()]
    };
    let cells = study
        .synthetic
        .iter()
        .map(|e| (&*e.transform, &*e.model, e.mean_similarity, e.ci95));
    per_model(study, &["transform", "family"], cells, family)
}

/// Multi-view similarity: a row per view kind, a column per model.
pub fn multiview(study: &Study) -> Table {
    let cells = study
        .multiview
        .iter()
        .map(|e| (&*e.kind, &*e.model, e.similarity, e.ci95));
    per_model(study, &["views"], cells, |_| Vec::new())
}

/// Downstream scores: a row per model, a column per task, plus the mean over tasks.
pub fn downstream(study: &Study) -> Table {
    let models = ordered(study.downstream.iter().map(|e| e.model.as_str()));
    let tasks = ordered(study.downstream.iter().map(|e| e.task.as_str()));
    let mut header = vec!["model".to_string()];
    header.extend(tasks.iter().map(|t| {
        let metric = study
            .downstream
            .iter()
            .find(|e| &e.task == t)
            .map(|e| e.metric.clone())
            .unwrap_or_default();
        format!("{t} ({metric})")
    }));
    // kNN beside the linear probe, for the tasks that have it (classification).
    let knn_tasks: Vec<&String> = tasks
        .iter()
        .filter(|t| {
            study
                .downstream
                .iter()
                .any(|e| &e.task == *t && e.knn.is_some())
        })
        .collect();
    header.extend(knn_tasks.iter().map(|t| format!("{t} (kNN accuracy)")));
    header.push("mean".to_string());
    let rows = models
        .iter()
        .map(|m| {
            let entries: Vec<Option<&crate::schema::DownstreamEntry>> = tasks
                .iter()
                .map(|t| {
                    study
                        .downstream
                        .iter()
                        .find(|e| &e.model == m && &e.task == t)
                })
                .collect();
            let present: Vec<f64> = entries.iter().flatten().map(|e| e.score).collect();
            let mean =
                (!present.is_empty()).then(|| present.iter().sum::<f64>() / present.len() as f64);
            let mut row = vec![label(study, m)];
            row.extend(
                entries
                    .into_iter()
                    .map(|e| cell_ci(e.map(|e| e.score), e.and_then(|e| e.ci95))),
            );
            row.extend(knn_tasks.iter().map(|t| {
                cell(
                    study
                        .downstream
                        .iter()
                        .find(|e| &e.model == m && &e.task == *t)
                        .and_then(|e| e.knn),
                )
            }));
            row.push(cell(mean));
            row
        })
        .collect();
    Table { header, rows }
}

/// Fusion recommendations per task.
pub fn recommendations(study: &Study) -> Table {
    Table {
        header: [
            "task",
            "invariance picks",
            "best measured",
            "rank correlation",
            "RankMe rank correlation",
        ]
        .map(String::from)
        .to_vec(),
        rows: study
            .recommendations
            .iter()
            .map(|r| {
                vec![
                    r.task.clone(),
                    r.predicted_best.clone(),
                    r.measured_best.clone(),
                    cell(r.rank_correlation),
                    cell(r.rankme_correlation),
                ]
            })
            .collect(),
    }
}

/// The paper's findings and whether they held.
pub fn findings(study: &Study) -> Table {
    Table {
        header: ["finding", "verdict", "numbers (95 % intervals)"]
            .map(String::from)
            .to_vec(),
        rows: study
            .findings
            .iter()
            .map(|f| {
                vec![
                    f.claim.clone(),
                    f.verdict.label().to_string(),
                    f.detail.clone(),
                ]
            })
            .collect(),
    }
}

/// Extrinsic invariance: mean R^2 of the latents per model and dataset.
pub fn extrinsic(study: &Study) -> Table {
    Table {
        header: ["model", "dataset", "mean R^2", "per latent"]
            .map(String::from)
            .to_vec(),
        rows: study
            .extrinsic
            .iter()
            .map(|e| {
                vec![
                    label(study, &e.model),
                    e.dataset.clone(),
                    format!("{:.3}", e.r2),
                    e.latents
                        .iter()
                        .map(|(n, r)| format!("{n} {r:.2}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]
            })
            .collect(),
    }
}

/// Seconds per kind of step.
pub fn timings(study: &Study) -> Table {
    let kinds = ordered(
        study
            .timings
            .iter()
            .map(|t| t.step.split('/').next().unwrap_or("")),
    );
    Table {
        header: ["step", "count", "seconds"].map(String::from).to_vec(),
        rows: kinds
            .iter()
            .map(|k| {
                let of: Vec<f64> = study
                    .timings
                    .iter()
                    .filter(|t| t.step.split('/').next() == Some(k.as_str()))
                    .map(|t| t.seconds)
                    .collect();
                vec![
                    k.clone(),
                    of.len().to_string(),
                    format!("{:.1}", of.iter().sum::<f64>()),
                ]
            })
            .collect(),
    }
}
