//! Downstream tasks: a target of a dataset that a probe predicts from frozen features.

use serde::{Deserialize, Serialize};

/// One downstream task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDef {
    /// Task name in results (`class`, `landmarks`, or a dataset name such as `cifar10`).
    pub name: String,
    /// The dataset whose features it probes.
    pub dataset: String,
    /// A named target of the dataset (synth3d), or the dataset's own labels when `None`.
    pub target: Option<String>,
}

/// synth3d's targets the demo probes when the preset names none.
pub const SYNTH3D_TASKS: [&str; 4] = ["class", "landmarks", "hue", "rotation"];

/// The synth3d tasks named `names`.
pub fn synth3d_tasks(names: &[String]) -> Vec<TaskDef> {
    names
        .iter()
        .map(|n| TaskDef {
            name: n.clone(),
            dataset: "synth3d".into(),
            target: Some(n.clone()),
        })
        .collect()
}

/// One task per downstream dataset, probing its own labels.
pub fn dataset_tasks(names: &[String]) -> Vec<TaskDef> {
    names
        .iter()
        .map(|n| TaskDef {
            name: n.clone(),
            dataset: n.clone(),
            target: None,
        })
        .collect()
}
