//! The plan: every step of a study with what it reads and writes, in an order that runs each
//! step after its inputs.

use serde::Serialize;
use std::path::Path;

use crate::data::DataContext;
use crate::layout::Layout;
use crate::models::{ModelEntry, ModelSource, Role, models};
use crate::preset::Preset;
use crate::step::{Status, Step, StepKind};
use crate::tasks::TaskDef;

/// A study's plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The models measured (pretrained or given, baselines, the fusion).
    #[serde(skip)]
    pub models: Vec<ModelEntry>,
    /// The downstream tasks.
    #[serde(skip)]
    pub tasks: Vec<TaskDef>,
    /// Every step, inputs first.
    pub steps: Vec<Step>,
}

impl Plan {
    /// Builds the plan of `preset` over `data`; `given` models replace the preset's.
    pub fn build(
        preset: &Preset,
        given: &[(String, String)],
        data: &DataContext,
        layout: &Layout,
    ) -> Plan {
        let models = models(preset, given);
        let tasks = data.tasks(preset);
        let mut b = Builder {
            steps: Vec::new(),
            layout,
        };
        let singles: Vec<&ModelEntry> = models.iter().filter(|m| m.role != Role::Fusion).collect();
        let pretrain_of = |m: &str| -> Vec<String> {
            singles
                .iter()
                .filter(|e| e.name == m && e.is_pretrained_here())
                .map(|e| format!("pretrain/{}", e.name))
                .collect()
        };
        for m in singles.iter().filter(|m| m.is_pretrained_here()) {
            b.push(
                StepKind::Pretrain {
                    model: m.name.clone(),
                },
                vec![],
                data.pretrain_needs(),
                vec![layout.card(&m.name), layout.weights(&m.name)],
            );
        }
        let stats_data = data.stats_needs();
        for m in &singles {
            let after = pretrain_of(&m.name);
            b.push(
                StepKind::Stats {
                    model: m.name.clone(),
                },
                after.clone(),
                stats_data.clone(),
                vec![layout.result(&["stats", &m.name])],
            );
        }
        let stats_of = |m: &str| vec![format!("stats/{m}")];
        for m in &singles {
            for &transform in &preset.transforms() {
                b.push(
                    StepKind::Synthetic {
                        model: m.name.clone(),
                        transform,
                    },
                    stats_of(&m.name),
                    stats_data.clone(),
                    vec![layout.result(&["synthetic", &m.name, transform.name()])],
                );
            }
            for views in data.views() {
                let mut needs = stats_data.clone();
                if !data.stats_needs().is_empty() {
                    needs.push(views.clone());
                }
                b.push(
                    StepKind::Multiview {
                        model: m.name.clone(),
                        views: views.clone(),
                    },
                    stats_of(&m.name),
                    needs,
                    vec![layout.result(&["multiview", &m.name, &views])],
                );
            }
        }
        // Features of every single model on every dataset a task or the extrinsic step reads.
        let mut datasets: Vec<String> = Vec::new();
        for t in &tasks {
            if !datasets.contains(&t.dataset) {
                datasets.push(t.dataset.clone());
            }
        }
        let extrinsic = if preset.invariance.extrinsic {
            data.extrinsic()
        } else {
            Vec::new()
        };
        for d in &extrinsic {
            if !datasets.contains(d) {
                datasets.push(d.clone());
            }
        }
        let root_data = |d: &str| -> Vec<String> {
            if data.stats_needs().is_empty() {
                Vec::new()
            } else {
                vec![d.to_string()]
            }
        };
        for m in &singles {
            for d in &datasets {
                for split in ["train", "test"] {
                    b.push(
                        StepKind::Features {
                            model: m.name.clone(),
                            dataset: d.clone(),
                            split: split.into(),
                        },
                        pretrain_of(&m.name),
                        root_data(d),
                        vec![layout.features_of(&m.name, d, split)],
                    );
                }
            }
        }
        let features_of = |members: &[String], d: &str| -> Vec<String> {
            members
                .iter()
                .flat_map(|m| ["train", "test"].map(|s| format!("features/{m}/{d}/{s}")))
                .collect()
        };
        for m in &singles {
            for d in &extrinsic {
                b.push(
                    StepKind::Extrinsic {
                        model: m.name.clone(),
                        dataset: d.clone(),
                    },
                    features_of(std::slice::from_ref(&m.name), d),
                    root_data(d),
                    vec![layout.result(&["extrinsic", &m.name, d])],
                );
            }
        }
        for m in &models {
            for t in &tasks {
                b.push(
                    StepKind::Probe {
                        model: m.name.clone(),
                        task: t.name.clone(),
                    },
                    features_of(&m.members(), &t.dataset),
                    root_data(&t.dataset),
                    vec![layout.result(&["downstream", &m.name, &t.name])],
                );
            }
        }
        if let Some(fused) = models.iter().find(|m| m.role == Role::Fusion) {
            let members = fused.members();
            for t in &tasks {
                let mut after = features_of(&members, &t.dataset);
                for m in &members {
                    for transform in preset.transforms() {
                        after.push(format!("synthetic/{m}/{}", transform.name()));
                    }
                }
                b.push(
                    StepKind::Fusion {
                        task: t.name.clone(),
                    },
                    after,
                    root_data(&t.dataset),
                    vec![layout.result(&["fusion", &t.name])],
                );
            }
        }
        let everything: Vec<String> = b.steps.iter().map(|s| s.id.clone()).collect();
        b.push(
            StepKind::Findings,
            everything.clone(),
            vec![],
            vec![layout.result(&["findings"])],
        );
        b.push(
            StepKind::Report,
            vec!["findings".into()],
            vec![],
            vec![
                layout.results.join(crate::report::STUDY_FILE),
                layout.report.join("index.html"),
            ],
        );
        Plan {
            models,
            tasks,
            steps: b.steps,
        }
    }

    /// The step with `id`.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// Where `step` stands, given the datasets present.
    pub fn status(&self, step: &Step, data: &DataContext) -> Status {
        if is_done(step) {
            return Status::Done;
        }
        let missing: Vec<String> = step
            .data
            .iter()
            .filter(|d| !data.present(d))
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Status::MissingData(missing);
        }
        // Findings and the report summarise whatever exists: they wait for nothing.
        if matches!(step.kind, StepKind::Findings | StepKind::Report) {
            return Status::Ready;
        }
        let waiting: Vec<String> = step
            .after
            .iter()
            .filter(|id| self.step(id).is_some_and(|s| !is_done(s)))
            .cloned()
            .collect();
        if waiting.is_empty() {
            Status::Ready
        } else {
            Status::Waiting(waiting)
        }
    }

    /// The model entry named `name`.
    pub fn model(&self, name: &str) -> Option<&ModelEntry> {
        self.models.iter().find(|m| m.name == name)
    }

    /// The task named `name`.
    pub fn task(&self, name: &str) -> Option<&TaskDef> {
        self.tasks.iter().find(|t| t.name == name)
    }
}

/// Whether a step's outputs exist and its main result parses.
pub fn is_done(step: &Step) -> bool {
    if !step.outputs.iter().all(|p| p.exists()) {
        return false;
    }
    let Some(first) = step.outputs.first() else {
        return false;
    };
    match step.kind {
        StepKind::Pretrain { .. } => pretrain_done(first),
        _ if first.extension().is_some_and(|e| e == "json") => {
            crate::io::read_json::<serde_json::Value>(first).is_ok()
        }
        _ => true,
    }
}

/// A finished pretraining: its card parses and it ran every step it was asked for (the
/// schedule's, or `max_steps` when that cuts the schedule short).
fn pretrain_done(card: &Path) -> bool {
    match sslinv_objectives::read_meta(card) {
        Ok(meta) => {
            let asked = meta
                .config
                .max_steps
                .map_or(meta.total_steps, |m| m.min(meta.total_steps));
            meta.step >= asked
        }
        Err(_) => false,
    }
}

struct Builder<'a> {
    steps: Vec<Step>,
    layout: &'a Layout,
}

impl Builder<'_> {
    fn push(
        &mut self,
        kind: StepKind,
        after: Vec<String>,
        data: Vec<String>,
        outputs: Vec<std::path::PathBuf>,
    ) {
        let _ = self.layout;
        let id = step_id(&kind);
        self.steps.push(Step {
            id,
            kind,
            after,
            data,
            outputs,
        });
    }
}

/// The id of a step of this kind.
pub fn step_id(kind: &StepKind) -> String {
    match kind {
        StepKind::Pretrain { model } => format!("pretrain/{model}"),
        StepKind::Stats { model } => format!("stats/{model}"),
        StepKind::Synthetic { model, transform } => {
            format!("synthetic/{model}/{}", transform.name())
        }
        StepKind::Multiview { model, views } => format!("multiview/{model}/{views}"),
        StepKind::Extrinsic { model, dataset } => format!("extrinsic/{model}/{dataset}"),
        StepKind::Features {
            model,
            dataset,
            split,
        } => format!("features/{model}/{dataset}/{split}"),
        StepKind::Probe { model, task } => format!("probe/{model}/{task}"),
        StepKind::Fusion { task } => format!("fusion/{task}"),
        StepKind::Findings => "findings".into(),
        StepKind::Report => "report".into(),
    }
}

/// The spec the encoder of a single model loads from.
pub fn spec_of(model: &ModelEntry, layout: &Layout) -> Option<String> {
    match &model.source {
        ModelSource::Pretrain { .. } => Some(layout.weights(&model.name).display().to_string()),
        ModelSource::Spec(s) => Some(s.clone()),
        ModelSource::Fused(_) => None,
    }
}
