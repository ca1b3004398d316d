//! `cargo xtask demo`: the paper's study on the embedded synth3d data, on CPU.
//!
//! Pretrain Default / Ventral / Dorsal MoCo v2 ResNets, measure synthetic and multi-view
//! invariance, probe downstream tasks for each model and their fusion, rank fusions from
//! invariance profiles, check the paper's findings, and write the report.

mod encode;
mod findings;
mod invariance;
mod plan;
mod pretrain;
mod transfer;

use crate::report::{self, write_atomic};
use crate::study::{ModelInfo, Study};
use anyhow::Context;
use image::RgbImage;
use sslinv_datasets::synth3d::{Synth3d, sample_grid};
use std::path::Path;
use std::time::Instant;

pub use plan::Plan;

/// Runs the whole demo, writing `out/results/*.json` and `out/report/`.
pub fn run(quick: bool, out: &Path, data_cache: &Path) -> anyhow::Result<()> {
    let start = Instant::now();
    let plan = Plan::new(quick);
    let results = out.join("results");
    let checkpoints = out.join("checkpoints");
    std::fs::create_dir_all(&results).with_context(|| format!("creating {}", results.display()))?;

    println!(
        "[1/5] synth3d data ({} pretraining, {} train, {} test images at {} px)",
        plan.data.n_pretrain, plan.data.n_train, plan.data.n_test, plan.data.size
    );
    let data = Synth3d::load_or_generate(&plan.data, data_cache).context("synth3d data")?;
    let grid = sample_grid(plan.seed, plan.data.size, 8).context("synth3d sample grid")?;
    let mut png = Vec::new();
    grid.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
    write_atomic(&results.join("samples.png"), &png)?;

    println!("[2/5] pretraining");
    let models = pretrain::pretrain_all(&plan, &data.pretrain, &checkpoints)?;

    println!("[3/5] invariance");
    let prep = invariance::native_prep(plan.input_size);
    let stats_images: Vec<RgbImage> = data
        .pretrain
        .iter()
        .rev()
        .take(plan.stats_images)
        .cloned()
        .collect();
    let sweep_images: Vec<RgbImage> = data
        .test
        .iter()
        .take(plan.sweep_images)
        .map(|s| s.image.clone())
        .collect();
    let (mut synthetic, mut multiview) = (Vec::new(), Vec::new());
    for model in &models {
        let stats = invariance::model_stats(model, &stats_images, &prep)?;
        synthetic.extend(invariance::synthetic(
            &plan,
            model,
            &stats,
            &sweep_images,
            &results,
        )?);
        multiview.extend(invariance::multiview(
            &plan, model, &stats, &data, &results,
        )?);
    }

    println!("[4/5] downstream probes");
    let train_images: Vec<RgbImage> = data.train.iter().map(|s| s.image.clone()).collect();
    let test_images: Vec<RgbImage> = data.test.iter().map(|s| s.image.clone()).collect();
    let mut probes = Vec::new();
    for model in &models {
        let dim = sslinv_encoders::Encoder::dim(&model.backbone);
        probes.push(transfer::ProbeFeatures {
            name: model.name.clone(),
            members: 1,
            dim,
            train: encode::encode(&model.backbone, &train_images, &prep, 256)?,
            test: encode::encode(&model.backbone, &test_images, &prep, 256)?,
        });
    }
    let fused_name = models
        .iter()
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join("+");
    let parts = |split: fn(&transfer::ProbeFeatures) -> &[f32]| -> Vec<(&[f32], usize)> {
        probes.iter().map(|p| (split(p), p.dim)).collect()
    };
    let fused = transfer::ProbeFeatures {
        name: fused_name.clone(),
        members: models.len(),
        dim: probes.iter().map(|p| p.dim).sum(),
        train: encode::concat_rows(&parts(|p| &p.train), train_images.len()),
        test: encode::concat_rows(&parts(|p| &p.test), test_images.len()),
    };
    let mut all = probes;
    all.push(fused);
    let downstream = transfer::downstream(&plan, &all, &data.train, &data.test, &results)?;
    let singles = &all[..models.len()];
    let transforms: Vec<String> = plan::TRANSFORMS
        .iter()
        .map(|(t, _)| t.name().to_string())
        .collect();
    let profiles: Vec<Vec<f64>> = models
        .iter()
        .map(|m| {
            transforms
                .iter()
                .map(|t| {
                    synthetic
                        .iter()
                        .find(|e| e.model == m.name && &e.transform == t)
                        .map_or(f64::NAN, |e| e.mean_similarity)
                })
                .collect()
        })
        .collect();
    let recommendations =
        transfer::recommendations(&plan, singles, &transforms, &profiles, &data.train)?;

    println!("[5/5] findings and report");
    let names: Vec<String> = models.iter().map(|m| m.name.clone()).collect();
    let findings = findings::check(&synthetic, &downstream, &names, &fused_name);
    let mut infos: Vec<ModelInfo> = models.iter().map(|m| m.info.clone()).collect();
    infos.push(ModelInfo {
        name: fused_name.clone(),
        description: "concatenation of the three (probe grid shifted by 2)".into(),
        dim: all.last().map_or(0, |f| f.dim),
        ..ModelInfo::default()
    });
    let study = Study {
        title: "sslinv demo: invariance and transfer on synth3d".into(),
        dataset: "synth3d".into(),
        quick,
        seconds: start.elapsed().as_secs_f64(),
        sample_grid: Some("samples.png".into()),
        models: infos,
        synthetic,
        multiview,
        downstream,
        recommendations,
        findings,
    };
    write_atomic(
        &results.join(report::STUDY_FILE),
        serde_json::to_string_pretty(&study)?.as_bytes(),
    )?;
    let report_dir = out.join("report");
    report::write(&study, &results, &report_dir)?;
    for f in &study.findings {
        println!(
            "  [{}] {} ({})",
            if f.holds {
                "reproduced"
            } else {
                "NOT reproduced"
            },
            f.claim,
            f.detail
        );
    }
    println!(
        "demo finished in {:.0} s: results in {}, report in {}",
        study.seconds,
        results.display(),
        report_dir.join("index.html").display()
    );
    Ok(())
}
