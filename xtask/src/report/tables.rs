//! The report's tables as rows of cells, shared by the HTML and Markdown views.

use super::charts::ordered;
use crate::study::Study;

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

/// Models and how they were made.
pub fn models(study: &Study) -> Table {
    Table {
        header: [
            "model",
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

/// Mean synthetic similarity: a row per transform, a column per model.
pub fn synthetic(study: &Study) -> Table {
    let models = ordered(study.synthetic.iter().map(|e| e.model.as_str()));
    let transforms = ordered(study.synthetic.iter().map(|e| e.transform.as_str()));
    let mut header = vec!["transform".to_string(), "family".to_string()];
    header.extend(models.iter().cloned());
    let rows = transforms
        .iter()
        .map(|t| {
            let family = study
                .synthetic
                .iter()
                .find(|e| &e.transform == t)
                .map(|e| e.family.clone())
                .unwrap_or_default();
            let mut row = vec![t.clone(), family];
            row.extend(models.iter().map(|m| {
                cell(
                    study
                        .synthetic
                        .iter()
                        .find(|e| &e.model == m && &e.transform == t)
                        .map(|e| e.mean_similarity),
                )
            }));
            row
        })
        .collect();
    Table { header, rows }
}

/// Multi-view similarity: a row per view kind, a column per model.
pub fn multiview(study: &Study) -> Table {
    let models = ordered(study.multiview.iter().map(|e| e.model.as_str()));
    let kinds = ordered(study.multiview.iter().map(|e| e.kind.as_str()));
    let mut header = vec!["views".to_string()];
    header.extend(models.iter().cloned());
    let rows = kinds
        .iter()
        .map(|k| {
            let mut row = vec![k.clone()];
            row.extend(models.iter().map(|m| {
                cell(
                    study
                        .multiview
                        .iter()
                        .find(|e| &e.model == m && &e.kind == k)
                        .map(|e| e.similarity),
                )
            }));
            row
        })
        .collect();
    Table { header, rows }
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
    header.push("mean".to_string());
    let rows = models
        .iter()
        .map(|m| {
            let scores: Vec<Option<f64>> = tasks
                .iter()
                .map(|t| {
                    study
                        .downstream
                        .iter()
                        .find(|e| &e.model == m && &e.task == t)
                        .map(|e| e.score)
                })
                .collect();
            let present: Vec<f64> = scores.iter().flatten().copied().collect();
            let mean =
                (!present.is_empty()).then(|| present.iter().sum::<f64>() / present.len() as f64);
            let mut row = vec![m.clone()];
            row.extend(scores.into_iter().map(cell));
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
                ]
            })
            .collect(),
    }
}

/// The paper's findings and whether they held.
pub fn findings(study: &Study) -> Table {
    Table {
        header: ["finding", "reproduced", "numbers"]
            .map(String::from)
            .to_vec(),
        rows: study
            .findings
            .iter()
            .map(|f| {
                vec![
                    f.claim.clone(),
                    if f.holds { "yes" } else { "no" }.to_string(),
                    f.detail.clone(),
                ]
            })
            .collect(),
    }
}
