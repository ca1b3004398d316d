//! One step of the plan: what it does, what it reads, what it writes.

use serde::Serialize;
use sslinv_augment::Transform;
use std::path::PathBuf;

/// What a step does.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum StepKind {
    /// Pretrain one model (self-supervised, or the supervised baseline).
    Pretrain {
        /// Model name.
        model: String,
    },
    /// Whitening statistics of one model over the statistics images.
    Stats {
        /// Model name.
        model: String,
    },
    /// Synthetic invariance of one model to one transform.
    Synthetic {
        /// Model name.
        model: String,
        /// The transform.
        #[serde(serialize_with = "transform_name")]
        transform: Transform,
    },
    /// Multi-view invariance of one model over one kind of view group.
    Multiview {
        /// Model name.
        model: String,
        /// View-group dataset (synth3d: `viewpoint`, `illumination`, `temperature`).
        views: String,
    },
    /// Extrinsic invariance: latents regressed from one model's features.
    Extrinsic {
        /// Model name.
        model: String,
        /// Dataset with latents (`synth3d`, `causal3dident`).
        dataset: String,
    },
    /// Features of one model on one split of a downstream dataset, cached.
    Features {
        /// Model name.
        model: String,
        /// Dataset.
        dataset: String,
        /// `train` (train + val where defined) or `test`.
        split: String,
    },
    /// A probe of one model (or a fusion `a+b+c`) on one task.
    Probe {
        /// Model name or fusion.
        model: String,
        /// Task name.
        task: String,
    },
    /// Every subset of the pretrained models scored on a validation split and ranked from
    /// invariance profiles, for one task.
    Fusion {
        /// Task name.
        task: String,
    },
    /// The paper's findings checked on this run.
    Findings,
    /// `study.json` and the report.
    Report,
}

fn transform_name<S: serde::Serializer>(t: &Transform, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(t.name())
}

impl StepKind {
    /// The kind's name (`pretrain`, `synthetic`, ...), also the Slurm stage it belongs to.
    pub fn name(&self) -> &'static str {
        match self {
            StepKind::Pretrain { .. } => "pretrain",
            StepKind::Stats { .. } => "stats",
            StepKind::Synthetic { .. } => "synthetic",
            StepKind::Multiview { .. } => "multiview",
            StepKind::Extrinsic { .. } => "extrinsic",
            StepKind::Features { .. } => "features",
            StepKind::Probe { .. } => "probe",
            StepKind::Fusion { .. } => "fusion",
            StepKind::Findings => "findings",
            StepKind::Report => "report",
        }
    }

    /// The model the step concerns, if one.
    pub fn model(&self) -> Option<&str> {
        match self {
            StepKind::Pretrain { model }
            | StepKind::Stats { model }
            | StepKind::Synthetic { model, .. }
            | StepKind::Multiview { model, .. }
            | StepKind::Extrinsic { model, .. }
            | StepKind::Features { model, .. }
            | StepKind::Probe { model, .. } => Some(model),
            _ => None,
        }
    }

    /// Whether the step's heavy work is a network forward or backward pass (a GPU helps).
    pub fn wants_gpu(&self) -> bool {
        !matches!(
            self,
            StepKind::Probe { .. }
                | StepKind::Fusion { .. }
                | StepKind::Findings
                | StepKind::Report
        )
    }
}

/// One step of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Unique id (`synthetic/default/rotation`): `--step ID` runs it.
    pub id: String,
    /// What it does.
    #[serde(flatten)]
    pub kind: StepKind,
    /// Steps whose outputs it reads.
    pub after: Vec<String>,
    /// Datasets it reads (under the data root; empty on synth3d).
    pub data: Vec<String>,
    /// Files it writes (the first one decides whether it is done).
    pub outputs: Vec<PathBuf>,
}

/// Where a step stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status", content = "why")]
pub enum Status {
    /// Its outputs exist.
    Done,
    /// Everything it reads is there.
    Ready,
    /// Steps it reads have not finished.
    Waiting(Vec<String>),
    /// Datasets it reads are missing from the data root.
    MissingData(Vec<String>),
}
