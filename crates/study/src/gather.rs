//! Gathering the per-step result files into one `Study` (whatever has finished).

use serde_json::Value;
use std::path::Path;

use crate::io::read_json;
use crate::layout::Layout;
use crate::models::{ModelSource, Role};
use crate::plan::Plan;
use crate::preset::Preset;
use crate::schema::*;
use crate::step::StepKind;

fn f64_of(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

fn f64s(v: &Value, key: &str) -> Vec<f64> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect())
        .unwrap_or_default()
}

/// `ci95` as `[low, high]` (the study's steps) or `{low, high, ..}` (the probes' intervals).
fn interval(v: &Value) -> Interval {
    let c = v.get("ci95")?;
    match c.as_array() {
        Some(a) => Some([a.first()?.as_f64()?, a.get(1)?.as_f64()?]),
        None => Some([c.get("low")?.as_f64()?, c.get("high")?.as_f64()?]),
    }
}

fn json(path: &Path) -> Option<Value> {
    read_json(path).ok()
}

/// The study from the result files that exist.
pub fn gather(preset: &Preset, plan: &Plan, layout: &Layout, dataset: &str) -> Study {
    let mut study = Study {
        title: preset.title.clone(),
        preset: preset.name.clone(),
        dataset: dataset.to_string(),
        smoke: preset.smoke,
        protocol: preset.protocol.clone(),
        ..Study::default()
    };
    if layout.results.join("samples.png").exists() {
        study.sample_grid = Some("samples.png".into());
    }
    for step in &plan.steps {
        if let Some(t) = json(&layout.timing(&step.id)) {
            study.timings.push(Timing {
                step: step.id.clone(),
                seconds: f64_of(&t, "seconds"),
            });
        }
        let Some(v) = step.outputs.first().and_then(|p| json(p)) else {
            continue;
        };
        match &step.kind {
            StepKind::Synthetic { model, transform } => study.synthetic.push(SyntheticEntry {
                model: model.clone(),
                transform: transform.name().to_string(),
                family: if transform.is_spatial() {
                    "spatial"
                } else {
                    "appearance"
                }
                .into(),
                params: v
                    .get("params")
                    .and_then(Value::as_array)
                    .map(|ps| {
                        ps.iter()
                            .map(|p| {
                                p.as_array()
                                    .and_then(|a| a.first())
                                    .and_then(Value::as_f64)
                                    .unwrap_or(0.0)
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                similarity: f64s(&v, "similarity"),
                mean_similarity: f64_of(&v, "mean_similarity"),
                ci95: interval(&v),
                mean_distance: f64_of(&v, "mean_distance"),
            }),
            StepKind::Multiview { model, views } => study.multiview.push(MultiviewEntry {
                model: model.clone(),
                kind: views.clone(),
                similarity: f64_of(&v, "similarity"),
                ci95: interval(&v),
                distance: f64_of(&v, "distance"),
            }),
            StepKind::Extrinsic { model, dataset } => study.extrinsic.push(ExtrinsicEntry {
                model: model.clone(),
                dataset: dataset.clone(),
                r2: f64_of(&v, "r2"),
                latents: v
                    .get("latents")
                    .and_then(Value::as_array)
                    .map(|ls| {
                        ls.iter()
                            .map(|l| {
                                (
                                    l["latent"].as_str().unwrap_or("").to_string(),
                                    f64_of(l, "r2"),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            }),
            StepKind::Probe { model, task } => study.downstream.push(DownstreamEntry {
                model: model.clone(),
                task: task.clone(),
                metric: v
                    .get("metric")
                    .and_then(Value::as_str)
                    .unwrap_or("score")
                    .to_string(),
                score: f64_of(&v, "test_score"),
                ci95: interval(&v),
                lambda: f64_of(&v, "lambda"),
                knn: v.get("knn").and_then(Value::as_f64),
            }),
            StepKind::Fusion { task } => study.recommendations.push(TaskRecommendation {
                task: task.clone(),
                predicted_best: v["predicted_best"].as_str().unwrap_or("").to_string(),
                measured_best: v["measured_best"].as_str().unwrap_or("").to_string(),
                rank_correlation: v.get("rank_correlation").and_then(Value::as_f64),
                rankme_correlation: v.get("rankme_correlation").and_then(Value::as_f64),
            }),
            StepKind::Findings => {
                study.findings = serde_json::from_value(v).unwrap_or_default();
            }
            _ => {}
        }
    }
    study.seconds = study.timings.iter().map(|t| t.seconds).sum();
    study.models = plan
        .models
        .iter()
        .map(|m| model_info(m, preset, layout, &study))
        .collect();
    study
}

fn model_info(
    m: &crate::models::ModelEntry,
    preset: &Preset,
    layout: &Layout,
    study: &Study,
) -> ModelInfo {
    let dim = study
        .downstream
        .iter()
        .find(|d| d.model == m.name)
        .and_then(|d| {
            json(&layout.result(&["downstream", &m.name, &d.task]))
                .and_then(|v| v.get("dim").and_then(Value::as_u64))
        })
        .unwrap_or(0) as usize;
    let pretrain_seconds = study
        .timings
        .iter()
        .find(|t| t.step == format!("pretrain/{}", m.name))
        .map_or(0.0, |t| t.seconds);
    let mut info = ModelInfo {
        name: m.name.clone(),
        role: m.role,
        dim,
        pretrain_seconds,
        ..ModelInfo::default()
    };
    let p = &preset.pretrain;
    info.description = match &m.source {
        ModelSource::Pretrain {
            policy,
            objective,
            width_mult,
        } => {
            if let Ok(meta) = sslinv_objectives::read_meta(&layout.card(&m.name)) {
                info.final_loss = meta.loss.map(f64::from);
                info.final_accuracy = meta.accuracy.map(f64::from);
            }
            let steps = p
                .max_steps
                .map_or(String::new(), |s| format!(", at most {s} steps"));
            format!(
                "{objective}, {policy} policy, {} x{width_mult} ({} stem), {} px, {} epochs{steps}, batch {}",
                p.arch, p.stem, p.image_size, p.epochs, p.batch_size
            )
        }
        ModelSource::Spec(spec) => match m.role {
            Role::Baseline => format!("baseline: `{spec}`"),
            _ => format!("given: `{spec}`"),
        },
        ModelSource::Fused(members) => format!(
            "concatenation of {} (probe grid shifted by {})",
            members.join(", "),
            members.len() - 1
        ),
    };
    info
}
