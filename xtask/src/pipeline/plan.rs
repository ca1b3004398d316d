//! The plan: every step with its inputs and output file, and whether it is done, ready or
//! waiting for data.

use super::preset::Preset;
use sslinv_augment::Transform;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Pseudo-dataset name for ImageNet's training folder (`DATA/imagenet/train/<wnid>/*`).
pub const IMAGENET_TRAIN: &str = "imagenet-train";

/// Downstream datasets the probes run on (the registry's labelled sets but ImageNet).
pub const DOWNSTREAM: &[&str] = &[
    "cifar10",
    "caltech101",
    "flowers102",
    "300w",
    "celeba",
    "lsp",
    "causal3dident",
    "causal3dident-class",
];

/// What a step does.
#[derive(Debug, Clone, PartialEq)]
pub enum StepKind {
    /// Self-supervised pretraining of one model.
    Pretrain {
        /// Model name.
        model: String,
    },
    /// Synthetic invariance of one model to one transform.
    Synthetic {
        /// Model name.
        model: String,
        /// The transform.
        transform: Transform,
    },
    /// Multi-view invariance of one model on one view-group dataset.
    Multiview {
        /// Model name.
        model: String,
        /// Dataset name.
        dataset: String,
    },
    /// A probe of one model (or fusion) on one downstream dataset.
    Downstream {
        /// Model name (`a+b+c` for a fusion).
        model: String,
        /// Dataset name.
        dataset: String,
    },
}

/// One step of the plan.
#[derive(Debug, Clone)]
pub struct Step {
    /// What it does.
    pub kind: StepKind,
    /// Datasets it reads (including those its models' pretraining needs when not done).
    pub needs: Vec<String>,
    /// Its result file.
    pub output: PathBuf,
}

/// Where a step stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Its output exists and parses.
    Done,
    /// Everything it reads is present.
    Ready,
    /// These inputs are missing.
    Missing(Vec<String>),
}

impl Step {
    /// A short label (`synthetic default rotation`).
    pub fn label(&self) -> String {
        match &self.kind {
            StepKind::Pretrain { model } => format!("pretrain {model}"),
            StepKind::Synthetic { model, transform } => {
                format!("synthetic {model} {}", transform.name())
            }
            StepKind::Multiview { model, dataset } => format!("multiview {model} {dataset}"),
            StepKind::Downstream { model, dataset } => format!("downstream {model} {dataset}"),
        }
    }

    /// True when the output exists and parses as this step's result.
    pub fn done(&self) -> bool {
        let key = match self.kind {
            StepKind::Pretrain { .. } => return pretrain_done(&self.output),
            StepKind::Synthetic { .. } => "mean_similarity",
            // `MultiviewResult` flattens its scores into the top level.
            StepKind::Multiview { .. } => "similarity",
            StepKind::Downstream { .. } => "test_score",
        };
        read_json(&self.output).is_some_and(|v| v.get(key).is_some())
    }

    /// Done, ready, or waiting for the named inputs given the datasets present.
    pub fn status(&self, present: &BTreeSet<String>) -> Status {
        if self.done() {
            return Status::Done;
        }
        let missing: Vec<String> = self
            .needs
            .iter()
            .filter(|n| !present.contains(*n))
            .cloned()
            .collect();
        if missing.is_empty() {
            Status::Ready
        } else {
            Status::Missing(missing)
        }
    }
}

/// The JSON at `path`, if it exists and parses.
pub fn read_json(path: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// A finished pretraining: the checkpoint JSON parses, its weights exist and it ran every step.
fn pretrain_done(json: &Path) -> bool {
    match sslinv_objectives::read_meta(json) {
        Ok(meta) => meta.step >= meta.total_steps && json.with_extension("safetensors").exists(),
        Err(_) => false,
    }
}

/// Where the pipeline writes.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Per-step result JSON and `study.json`.
    pub results: PathBuf,
    /// Pretrained checkpoints.
    pub checkpoints: PathBuf,
    /// Cached downstream features.
    pub features: PathBuf,
    /// The report.
    pub report: PathBuf,
}

impl Layout {
    /// The layout under `out`.
    pub fn new(out: &Path) -> Layout {
        Layout {
            results: out.join("results"),
            checkpoints: out.join("checkpoints"),
            features: out.join("features"),
            report: out.join("report"),
        }
    }

    /// The checkpoint JSON of a pretrained model.
    pub fn checkpoint(&self, model: &str) -> PathBuf {
        self.checkpoints.join(format!("{model}.json"))
    }
}

/// The folder a dataset lives in under the data root (ALOI / ALOT modes and both Causal3DIdent
/// views share one folder).
pub fn dataset_dir(root: &Path, name: &str) -> PathBuf {
    let folder = match name {
        IMAGENET_TRAIN => return root.join("imagenet").join("train"),
        n if n.starts_with("aloi-") => "aloi",
        n if n.starts_with("alot-") => "alot",
        "causal3dident-class" => "causal3dident",
        n => n,
    };
    root.join(folder)
}

/// The name of the fusion of `models` (`default+ventral+dorsal`).
pub fn fusion_name(models: &[&str]) -> String {
    models.join("+")
}

/// Builds every step of the study. `pretrained` models come from `--models` (no pretraining).
pub fn build(preset: &Preset, pretrained: &[String], layout: &Layout) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut models: Vec<String> = pretrained.to_vec();
    // What a model's later steps need besides their own data: its pretraining data, until done.
    let mut model_needs: Vec<(String, Vec<String>)> = Vec::new();
    if pretrained.is_empty() {
        let source = if preset.pretrain_on_val {
            "imagenet"
        } else {
            IMAGENET_TRAIN
        };
        for m in &preset.models {
            let step = Step {
                kind: StepKind::Pretrain {
                    model: m.name.clone(),
                },
                needs: vec![source.to_string()],
                output: layout.checkpoint(&m.name),
            };
            let needs = if step.done() {
                Vec::new()
            } else {
                step.needs.clone()
            };
            model_needs.push((m.name.clone(), needs));
            models.push(m.name.clone());
            steps.push(step);
        }
    }
    let needs_of = |names: &[String], own: &[&str]| -> Vec<String> {
        let mut all: BTreeSet<String> = own.iter().map(|s| s.to_string()).collect();
        for n in names {
            if let Some((_, extra)) = model_needs.iter().find(|(m, _)| m == n) {
                all.extend(extra.iter().cloned());
            }
        }
        all.into_iter().collect()
    };
    for model in &models {
        for &transform in Transform::all() {
            steps.push(Step {
                kind: StepKind::Synthetic {
                    model: model.clone(),
                    transform,
                },
                needs: needs_of(std::slice::from_ref(model), &["imagenet"]),
                output: layout
                    .results
                    .join("synthetic")
                    .join(model)
                    .join(format!("{}.json", transform.name())),
            });
        }
        for dataset in sslinv_datasets::VIEW_DATASETS {
            steps.push(Step {
                kind: StepKind::Multiview {
                    model: model.clone(),
                    dataset: dataset.to_string(),
                },
                needs: needs_of(std::slice::from_ref(model), &["imagenet", dataset]),
                output: layout
                    .results
                    .join("multiview")
                    .join(model)
                    .join(format!("{dataset}.json")),
            });
        }
    }
    let fusion_members: Vec<String> = ["default", "ventral", "dorsal"]
        .iter()
        .filter(|m| models.iter().any(|x| x == *m))
        .map(|m| m.to_string())
        .collect();
    let mut probed = models.clone();
    if fusion_members.len() == 3 {
        let refs: Vec<&str> = fusion_members.iter().map(String::as_str).collect();
        probed.push(fusion_name(&refs));
    }
    for model in &probed {
        let members: Vec<String> = model.split('+').map(str::to_string).collect();
        for dataset in DOWNSTREAM {
            steps.push(Step {
                kind: StepKind::Downstream {
                    model: model.clone(),
                    dataset: dataset.to_string(),
                },
                needs: needs_of(&members, &[dataset]),
                output: layout
                    .results
                    .join("downstream")
                    .join(model)
                    .join(format!("{dataset}.json")),
            });
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(dir: &Path, pretrained: &[String]) -> Vec<Step> {
        build(&Preset::quick(), pretrained, &Layout::new(dir))
    }

    #[test]
    fn empty_data_root_leaves_every_step_missing_data() {
        let dir = tempfile::tempdir().unwrap();
        let steps = plan(dir.path(), &[]);
        let present = BTreeSet::new();
        assert!(!steps.is_empty());
        for s in &steps {
            assert!(
                matches!(s.status(&present), Status::Missing(_)),
                "{} should miss data",
                s.label()
            );
        }
        let down = steps
            .iter()
            .find(|s| s.label() == "downstream default+ventral+dorsal flowers102")
            .expect("fusion step");
        // The fusion waits for its own data and for its members' pretraining data.
        assert_eq!(
            down.status(&present),
            Status::Missing(vec!["flowers102".into(), "imagenet".into()])
        );
    }

    #[test]
    fn plan_covers_models_transforms_views_and_fusion() {
        let dir = tempfile::tempdir().unwrap();
        let steps = build(&Preset::paper(), &[], &Layout::new(dir.path()));
        let count = |p: &str| steps.iter().filter(|s| s.label().starts_with(p)).count();
        assert_eq!(count("pretrain"), 4);
        assert_eq!(count("synthetic"), 4 * 18);
        assert_eq!(count("multiview"), 4 * sslinv_datasets::VIEW_DATASETS.len());
        assert_eq!(count("downstream"), 5 * DOWNSTREAM.len());
        // The paper preset pretrains on ImageNet train, never on val.
        assert_eq!(steps[0].needs, vec![IMAGENET_TRAIN.to_string()]);
    }

    #[test]
    fn existing_output_is_done_and_a_corrupt_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let steps = plan(dir.path(), &["mine".into()]);
        assert!(steps.iter().all(|s| !s.label().starts_with("pretrain")));
        let present: BTreeSet<String> = ["imagenet".to_string()].into();
        let step = steps
            .iter()
            .find(|s| s.label() == "synthetic mine rotation")
            .unwrap();
        assert_eq!(step.status(&present), Status::Ready);
        std::fs::create_dir_all(step.output.parent().unwrap()).unwrap();
        std::fs::write(&step.output, "{\"mean_similarity\": 0.5").unwrap();
        assert_eq!(step.status(&present), Status::Ready, "truncated JSON");
        std::fs::write(&step.output, "{\"mean_similarity\": 0.5}").unwrap();
        assert_eq!(step.status(&present), Status::Done);
        assert_eq!(step.status(&BTreeSet::new()), Status::Done);
        // No fusion without all three policies.
        assert!(steps.iter().all(|s| !s.label().contains('+')));
    }

    #[test]
    fn finished_pretraining_unblocks_later_steps() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        let before = build(&Preset::quick(), &[], &layout);
        let syn = |steps: &[Step]| {
            steps
                .iter()
                .find(|s| s.label() == "downstream ventral cifar10")
                .unwrap()
                .needs
                .clone()
        };
        assert_eq!(syn(&before), vec!["cifar10".to_string(), "imagenet".into()]);
        // A partial checkpoint keeps the step pending.
        let mut meta_json = checkpoint_meta(10, 5);
        std::fs::create_dir_all(&layout.checkpoints).unwrap();
        std::fs::write(layout.checkpoint("ventral"), &meta_json).unwrap();
        std::fs::write(layout.checkpoints.join("ventral.safetensors"), b"x").unwrap();
        assert!(!before[1].done());
        meta_json = checkpoint_meta(10, 10);
        std::fs::write(layout.checkpoint("ventral"), &meta_json).unwrap();
        assert!(before[1].done(), "{}", before[1].label());
        let after = build(&Preset::quick(), &[], &layout);
        assert_eq!(syn(&after), vec!["cifar10".to_string()]);
    }

    fn checkpoint_meta(total: u64, step: u64) -> String {
        let cfg = sslinv_objectives::PretrainConfig::small(
            sslinv_objectives::Objective::MocoV2,
            "ventral",
            1,
        );
        let v = serde_json::json!({
            "format": 1, "arch": "resnet18", "width_mult": 1.0, "stem": "imagenet", "dim": 512,
            "policy": "ventral", "objective": cfg.objective, "epoch": 1.0, "step": step,
            "total_steps": total, "seed": 0, "n_images": 10, "config": cfg,
            "weights": "ventral.safetensors", "state": "ventral.state.safetensors",
            "projector": {"dims": [512, 128], "batch_norm": false},
        });
        v.to_string()
    }
}
