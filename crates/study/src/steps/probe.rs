//! The probe step: the paper's cross-validated probe of one model (or fusion) on one task.

use serde::{Deserialize, Serialize};
use sslinv_heads::{KnnConfig, Labels, ProbeConfig, ProbeResult, knn_classify, probe};

use crate::error::{Result, StudyError};
use crate::io::write_json;
use crate::models::ModelSource;
use crate::runner::Runner;
use crate::step::Step;

/// What the probe step writes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProbeRecord {
    /// Model or fusion name.
    pub model: String,
    /// Task name.
    pub task: String,
    /// The probe's result (`test_score` with its bootstrap `ci95` over test rows, `lambda`,
    /// the grid, CV scores).
    #[serde(flatten)]
    pub result: ProbeResult,
    /// DINO's weighted kNN accuracy (k = 20, T = 0.07) on the same features, for
    /// classification tasks.
    #[serde(default)]
    pub knn: Option<f64>,
}

/// The probe configuration for `members` fused encoders on labels of this kind.
pub fn config(r: &Runner, dataset: &str, labels: &Labels, members: &[String]) -> ProbeConfig {
    let classes = matches!(labels, Labels::Classes(_));
    let (task, metric) = sslinv_fusion::probe_task(dataset, classes);
    // A wider backbone counts as that many fused encoders, as the paper's grid shift.
    let width = match members {
        [one] => match r.plan.model(one).map(|m| &m.source) {
            Some(ModelSource::Pretrain { width_mult, .. }) => {
                width_mult / r.preset.pretrain.width_mult
            }
            _ => 1.0,
        },
        _ => 1.0,
    };
    ProbeConfig {
        task,
        metric,
        folds: r.preset.probe.folds,
        grid_shift: sslinv_fusion::grid_shift(members.len(), width),
        lambda: None,
        seed: r.preset.seed,
        paper_grid: r.preset.fidelity().ridge_alpha_is_inverse(),
    }
}

/// Probes `model` on `task` from the cached features of its members.
pub fn run(r: &mut Runner, model: &str, task: &str, step: &Step) -> Result<()> {
    let (members, task_def) = {
        let entry = r
            .plan
            .model(model)
            .ok_or_else(|| StudyError::Invalid(format!("no model `{model}`")))?;
        let t = r
            .plan
            .task(task)
            .ok_or_else(|| StudyError::Invalid(format!("no task `{task}`")))?;
        (entry.members(), t.clone())
    };
    let (train_x, _, dim) = super::features::fused(r, &members, &task_def.dataset, "train")?;
    let (test_x, _, _) = super::features::fused(r, &members, &task_def.dataset, "test")?;
    let train_y = r.data.labels(&task_def, "train", &r.preset)?;
    let test_y = r.data.labels(&task_def, "test", &r.preset)?;
    let cfg = config(r, &task_def.dataset, &train_y, &members);
    let result = probe(&train_x, &train_y, &test_x, &test_y, dim, &cfg)?;
    let knn = match (&train_y, &test_y) {
        (Labels::Classes(a), Labels::Classes(b)) => {
            let k = knn_classify(&train_x, a, &test_x, b, dim, &KnnConfig::default())?;
            Some(k.test_score)
        }
        _ => None,
    };
    if r.progress {
        println!("  {model:28} {task:12} {:.3}", result.test_score);
    }
    write_json(
        &step.outputs[0],
        &ProbeRecord {
            model: model.to_string(),
            task: task.to_string(),
            result,
            knn,
        },
    )
}
