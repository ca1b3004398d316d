//! Gathering the per-step result files into `study.json`.

use super::plan::{Layout, Step, StepKind, read_json};
use crate::study::{DownstreamEntry, ModelInfo, MultiviewEntry, Study, SyntheticEntry};
use serde_json::Value;

fn f64_of(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

fn f64s(v: &Value, key: &str) -> Vec<f64> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect())
        .unwrap_or_default()
}

/// One model's description from its checkpoint JSON, when it was pretrained here.
fn model_info(layout: &Layout, name: &str, spec: Option<&str>) -> ModelInfo {
    let members = name.split('+').count();
    if members > 1 {
        return ModelInfo {
            name: name.into(),
            description: format!(
                "concatenation of {members} encoders (probe grid shifted by {})",
                members - 1
            ),
            ..ModelInfo::default()
        };
    }
    if let Some(spec) = spec {
        return ModelInfo {
            name: name.into(),
            description: format!("given: `{spec}`"),
            ..ModelInfo::default()
        };
    }
    match sslinv_objectives::read_meta(&layout.checkpoint(name)) {
        Ok(m) => ModelInfo {
            name: name.into(),
            description: format!(
                "MoCo v2, {} policy, {} x{} ({} stem), {} px, {} epochs",
                m.policy, m.arch, m.width_mult, m.stem, m.config.image_size, m.config.epochs
            ),
            dim: m.dim,
            pretrain_seconds: 0.0,
            final_loss: m.loss.map(f64::from),
            final_accuracy: m.accuracy.map(f64::from),
        },
        Err(_) => ModelInfo {
            name: name.into(),
            description: "not pretrained yet".into(),
            ..ModelInfo::default()
        },
    }
}

/// The study from whatever step outputs exist (finished steps only).
pub fn gather(
    steps: &[Step],
    layout: &Layout,
    specs: &[(String, String)],
    preset: &str,
    seconds: f64,
) -> Study {
    let mut study = Study {
        title: format!("sslinv pipeline ({preset} preset): invariance and transfer"),
        dataset: "imagenet".into(),
        quick: preset != "paper",
        seconds,
        ..Study::default()
    };
    let mut names: Vec<String> = Vec::new();
    let mut dims: Vec<(String, usize)> = Vec::new();
    for step in steps {
        let model = match &step.kind {
            StepKind::Pretrain { model }
            | StepKind::Synthetic { model, .. }
            | StepKind::Multiview { model, .. }
            | StepKind::Downstream { model, .. } => model.clone(),
        };
        if !names.contains(&model) {
            names.push(model.clone());
        }
        let Some(v) = read_json(&step.output) else {
            continue;
        };
        match &step.kind {
            StepKind::Pretrain { .. } => {}
            StepKind::Synthetic { transform, .. } => {
                let Some(first) = v.get("params").and_then(Value::as_array).map(|ps| {
                    ps.iter()
                        .map(|p| {
                            p.as_array()
                                .and_then(|a| a.first())
                                .and_then(Value::as_f64)
                                .unwrap_or(0.0)
                        })
                        .collect()
                }) else {
                    continue;
                };
                study.synthetic.push(SyntheticEntry {
                    model,
                    transform: transform.name().to_string(),
                    family: if transform.is_spatial() {
                        "spatial"
                    } else {
                        "appearance"
                    }
                    .into(),
                    params: first,
                    similarity: f64s(&v, "similarity"),
                    mean_similarity: f64_of(&v, "mean_similarity"),
                    mean_distance: f64_of(&v, "mean_distance"),
                });
            }
            StepKind::Multiview { dataset, .. } => {
                study.multiview.push(MultiviewEntry {
                    model,
                    kind: dataset.clone(),
                    similarity: f64_of(&v, "similarity"),
                    distance: f64_of(&v, "distance"),
                });
            }
            StepKind::Downstream { dataset, .. } => {
                if let Some(d) = v.get("dim").and_then(Value::as_u64) {
                    dims.push((model.clone(), d as usize));
                }
                study.downstream.push(DownstreamEntry {
                    model,
                    task: dataset.clone(),
                    metric: v
                        .get("metric")
                        .and_then(Value::as_str)
                        .unwrap_or("score")
                        .to_string(),
                    score: f64_of(&v, "test_score"),
                    lambda: f64_of(&v, "lambda"),
                });
            }
        }
    }
    study.models = names
        .iter()
        .map(|n| {
            let spec = specs.iter().find(|(m, _)| m == n).map(|(_, s)| s.as_str());
            let mut info = model_info(layout, n, spec);
            if info.dim == 0
                && let Some((_, d)) = dims.iter().find(|(m, _)| m == n)
            {
                info.dim = *d;
            }
            info
        })
        .collect();
    study
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::plan::build;
    use crate::pipeline::preset::Preset;

    #[test]
    fn gathers_only_finished_steps() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        let specs = vec![("mine".to_string(), "torchvision/resnet18".to_string())];
        let steps = build(&Preset::quick(), &["mine".into()], &layout);
        let write = |label: &str, json: &str| {
            let s = steps.iter().find(|s| s.label() == label).unwrap();
            std::fs::create_dir_all(s.output.parent().unwrap()).unwrap();
            std::fs::write(&s.output, json).unwrap();
        };
        write(
            "synthetic mine hue",
            r#"{"params": [[-0.5], [0.5]], "similarity": [0.2, 0.4], "mean_similarity": 0.3, "mean_distance": 9.0}"#,
        );
        write(
            "multiview mine coil100",
            r#"{"dataset": "coil100", "similarity": 0.7, "distance": 3.0}"#,
        );
        write(
            "downstream mine cifar10",
            r#"{"test_score": 0.81, "lambda": 0.01, "metric": "accuracy", "dim": 512}"#,
        );
        let study = gather(&steps, &layout, &specs, "quick", 1.0);
        assert!(study.quick);
        assert_eq!(study.synthetic.len(), 1);
        assert_eq!(study.synthetic[0].family, "appearance");
        assert_eq!(study.synthetic[0].params, vec![-0.5, 0.5]);
        assert_eq!(study.multiview[0].kind, "coil100");
        assert_eq!(study.multiview[0].similarity, 0.7);
        assert_eq!(study.downstream[0].score, 0.81);
        assert_eq!(study.models.len(), 1);
        assert_eq!(study.models[0].dim, 512);
    }
}
