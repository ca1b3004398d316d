//! `cargo xtask fusion recommend`: per task, which fusion of a study's encoders invariance alone
//! picks, which one measured best, and how well the two rankings agree (Spearman).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Serialize;
use sslinv_fusion::{ProfileRecord, Recommendation, ScoreRecord, recommend_from_records};

use sslinv_study::{Study, TaskRecommendation};

/// Subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Rank fusions per task from a results folder's `study.json` (invariance profiles and
    /// downstream scores of single and fused models).
    Recommend {
        /// Results folder holding `study.json` (as `cargo xtask demo` writes it).
        #[arg(long)]
        results: PathBuf,
        /// Only this task (default: every task with downstream scores).
        #[arg(long)]
        task: Option<String>,
        /// Also use multi-view invariance (per view kind) in the profiles, besides the
        /// synthetic transforms.
        #[arg(long)]
        multiview: bool,
        /// Output JSON.
        #[arg(long)]
        out: PathBuf,
    },
}

/// One task's recommendation from the study's tables, next to what the study stored.
#[derive(Serialize)]
struct TaskResult {
    task: String,
    metric: String,
    /// The subset whose measured score is best.
    measured_best: String,
    #[serde(flatten)]
    recommendation: Recommendation,
    /// The study's own recommendation (from validation probes of every subset), if stored.
    stored: Option<TaskRecommendation>,
}

/// The whole output.
#[derive(Serialize)]
struct Output {
    results: String,
    dataset: String,
    /// What the measured scores are.
    scores: &'static str,
    /// Which invariance measures form the profiles.
    profiles: &'static str,
    tasks: Vec<TaskResult>,
}

fn read_study(dir: &Path) -> anyhow::Result<Study> {
    let path = dir.join("study.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a study", path.display()))
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

fn recommend_task(study: &Study, task: &str, multiview: bool) -> anyhow::Result<TaskResult> {
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
    let mut recommendation = recommend_from_records(&profiles(study, multiview), &scores)
        .with_context(|| format!("recommendation for task `{task}`"))?;
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

fn fmt_corr(c: Option<f64>) -> String {
    c.map_or("-".into(), |c| format!("{c:+.3}"))
}

/// Runs the subcommand.
pub fn run(command: Command) -> anyhow::Result<()> {
    let Command::Recommend {
        results,
        task,
        multiview,
        out,
    } = command;
    let study = read_study(&results)?;
    let all = tasks(&study);
    let chosen = match task {
        Some(t) if all.contains(&t) => vec![t],
        Some(t) => bail!(
            "task `{t}` has no downstream scores in {} (tasks: {})",
            results.display(),
            all.join(", ")
        ),
        None => all,
    };
    if chosen.is_empty() {
        bail!("{}: no downstream scores", results.display());
    }
    let tasks = chosen
        .iter()
        .map(|t| recommend_task(&study, t, multiview))
        .collect::<anyhow::Result<Vec<_>>>()?;
    println!(
        "{:<12} {:<28} {:<28} {:>9} | study (validation): picks / best / spearman",
        "task", "invariance picks", "measured best (test)", "spearman"
    );
    for t in &tasks {
        let stored = t.stored.as_ref().map_or("-".to_string(), |s| {
            format!(
                "{} / {} / {}",
                s.predicted_best,
                s.measured_best,
                fmt_corr(s.rank_correlation)
            )
        });
        println!(
            "{:<12} {:<28} {:<28} {:>9} | {stored}",
            t.task,
            t.recommendation.predicted_best,
            t.measured_best,
            fmt_corr(t.recommendation.rank_correlation)
        );
    }
    let output = Output {
        results: results.display().to_string(),
        dataset: study.dataset.clone(),
        scores: "downstream test scores of the study's single and fused models",
        profiles: if multiview {
            "synthetic mean similarity per transform and multi-view similarity per kind"
        } else {
            "synthetic mean similarity per transform"
        },
        tasks,
    };
    if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let tmp = out.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_string_pretty(&output)?)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &out).with_context(|| format!("writing {}", out.display()))?;
    println!("-> {}", out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sslinv_study::{DownstreamEntry, SyntheticEntry};

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
    fn run_writes_json_and_rejects_unknown_tasks() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("study.json"),
            serde_json::to_string(&study()).unwrap(),
        )
        .unwrap();
        let out = dir.path().join("rec.json");
        run(Command::Recommend {
            results: dir.path().to_path_buf(),
            task: None,
            multiview: false,
            out: out.clone(),
        })
        .unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        assert_eq!(json["tasks"][0]["measured_best"], "dorsal");
        assert!(
            run(Command::Recommend {
                results: dir.path().to_path_buf(),
                task: Some("nope".into()),
                multiview: false,
                out,
            })
            .is_err()
        );
    }
}
