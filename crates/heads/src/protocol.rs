//! One entry point for every evaluation protocol on a train/test pair of feature matrices:
//! the paper's linear probe, DINO's kNN or ssl-transfer's few-shot episodes.

use crate::error::{HeadsError, Result};
use crate::fewshot::{FewShotConfig, FewShotResult, fewshot};
use crate::knn::{KnnConfig, KnnResult, knn_classify};
use crate::labels::Labels;
use crate::probe::{ProbeConfig, ProbeResult, probe, probe_with_validation};
use serde::Serialize;

/// Which protocol scores the features.
#[derive(Debug, Clone)]
pub enum Protocol {
    /// The paper's probe (logistic regression or ridge) selected by CV or a validation split.
    Linear(ProbeConfig),
    /// DINO's weighted kNN; the training rows (validation rows included) are the memory bank.
    Knn(KnnConfig),
    /// ProtoNet episodes drawn from the test rows only.
    FewShot(FewShotConfig),
}

impl Protocol {
    /// The command-line name: linear, knn or fewshot.
    pub fn name(&self) -> &'static str {
        match self {
            Protocol::Linear(_) => "linear",
            Protocol::Knn(_) => "knn",
            Protocol::FewShot(_) => "fewshot",
        }
    }
}

/// A protocol's result; serialises as the protocol's own result (all carry `test_score`).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ProtocolResult {
    /// From [`Protocol::Linear`].
    Linear(ProbeResult),
    /// From [`Protocol::Knn`].
    Knn(KnnResult),
    /// From [`Protocol::FewShot`].
    FewShot(FewShotResult),
}

impl ProtocolResult {
    /// The headline score: probe metric, kNN top-1 at the first k, or mean episode accuracy.
    pub fn test_score(&self) -> f64 {
        match self {
            ProtocolResult::Linear(r) => r.test_score,
            ProtocolResult::Knn(r) => r.test_score,
            ProtocolResult::FewShot(r) => r.test_score,
        }
    }

    /// What a user reads: the score with its interval or its per-k scores.
    pub fn summary(&self) -> String {
        match self {
            ProtocolResult::Linear(r) => format!(
                "{} {:.4} (lambda {:.3e}, {} train, {} test, dim {})",
                r.metric.name(),
                r.test_score,
                r.lambda,
                r.n_train,
                r.n_test,
                r.dim
            ),
            ProtocolResult::Knn(r) => r
                .scores
                .iter()
                .map(|s| format!("k = {}: top-1 {:.4}, top-5 {:.4}", s.k, s.top1, s.top5))
                .collect::<Vec<_>>()
                .join("\n"),
            ProtocolResult::FewShot(r) => format!(
                "{}-way {}-shot: accuracy {:.4} +- {:.4} over {} episodes ({} classes)",
                r.ways, r.shots, r.test_score, r.ci95, r.episodes, r.classes_used
            ),
        }
    }
}

fn class_ids<'a>(labels: &'a Labels, protocol: &str, what: &str) -> Result<&'a [i64]> {
    match labels {
        Labels::Classes(c) => Ok(c),
        Labels::Targets { .. } => Err(HeadsError::Config(format!(
            "the {protocol} protocol needs class labels, but the {what} labels are real targets"
        ))),
    }
}

/// Scores row-major train/test features (`dim` columns) with `protocol`. `val_rows`: the last
/// rows of the training matrix are a dataset's own validation split (the linear probe selects
/// on them instead of k-fold CV).
pub fn evaluate(
    protocol: &Protocol,
    train: (&[f32], &Labels),
    test: (&[f32], &Labels),
    dim: usize,
    val_rows: Option<usize>,
) -> Result<ProtocolResult> {
    let ((train_x, train_y), (test_x, test_y)) = (train, test);
    Ok(match protocol {
        Protocol::Linear(cfg) => ProtocolResult::Linear(match val_rows {
            Some(v) => probe_with_validation(train_x, train_y, test_x, test_y, dim, v, cfg)?,
            None => probe(train_x, train_y, test_x, test_y, dim, cfg)?,
        }),
        Protocol::Knn(cfg) => ProtocolResult::Knn(knn_classify(
            train_x,
            class_ids(train_y, "knn", "training")?,
            test_x,
            class_ids(test_y, "knn", "test")?,
            dim,
            cfg,
        )?),
        Protocol::FewShot(cfg) => ProtocolResult::FewShot(fewshot(
            test_x,
            class_ids(test_y, "fewshot", "test")?,
            dim,
            cfg,
        )?),
    })
}
