//! `cargo xtask pipeline`: the paper's study at its scale over real data, as a plan of steps
//! that each write one result file; finished steps are skipped, so a killed run resumes.

mod data;
mod exec;
mod plan;
mod preset;
mod study;

use crate::report::{self, write_atomic};
use anyhow::Context;
use candle_core::Device;
use plan::{Layout, Status, StepKind};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

pub use preset::Preset;

/// What the command was asked to do.
pub struct Options {
    /// Sizes of every stage.
    pub preset: Preset,
    /// Where the datasets live.
    pub data_root: PathBuf,
    /// Where checkpoints, results and the report go.
    pub out: PathBuf,
    /// Where the computation runs.
    pub device: Device,
    /// Existing encoders (name -> model spec) to study instead of pretraining.
    pub models: Vec<(String, String)>,
    /// Download absent datasets that have a Hub copy.
    pub fetch: bool,
    /// Print the plan and stop.
    pub dry_run: bool,
}

/// How a step ended in this run.
enum Outcome {
    Done,
    Ran,
    Missing,
    Failed(String),
}

/// Runs (or, with `dry_run`, prints) the plan and writes the study and its report.
pub fn run(opts: Options) -> anyhow::Result<()> {
    let start = Instant::now();
    let layout = Layout::new(&opts.out);
    let given: Vec<String> = opts.models.iter().map(|(n, _)| n.clone()).collect();
    let mut steps = plan::build(&opts.preset, &given, &layout);

    let needed: BTreeSet<String> = steps.iter().flat_map(|s| s.needs.clone()).collect();
    let needed: Vec<String> = needed.into_iter().collect();
    println!("datasets under {}:", opts.data_root.display());
    let survey = data::survey(&opts.data_root, &needed, opts.fetch && !opts.dry_run);
    let present: BTreeSet<String> = survey
        .iter()
        .filter(|s| s.present)
        .map(|s| s.name.clone())
        .collect();
    for s in &survey {
        println!(
            "  {:22} {:8} {}",
            s.name,
            if s.present { "present" } else { "MISSING" },
            s.detail
        );
    }

    if opts.dry_run {
        println!(
            "plan ({} steps, preset `{}`):",
            steps.len(),
            opts.preset.name
        );
        for s in &steps {
            let status = match s.status(&present) {
                Status::Done => "done".to_string(),
                Status::Ready => "to run".to_string(),
                Status::Missing(m) => format!("missing data: {}", m.join(", ")),
            };
            println!("  {:48} {status}", s.label());
        }
        print_missing(&survey);
        return Ok(());
    }

    let mut runner = exec::Runner::new(
        opts.preset.clone(),
        layout.clone(),
        opts.data_root.clone(),
        opts.device.clone(),
        opts.models.clone(),
    );
    let mut outcomes = Vec::with_capacity(steps.len());
    let total = steps.len();
    for i in 0..total {
        // Pretraining just finished unblocks later steps of that model: rebuild their needs.
        if i > 0 && matches!(steps[i - 1].kind, StepKind::Pretrain { .. }) {
            let rebuilt = plan::build(&opts.preset, &given, &layout);
            steps[i..].clone_from_slice(&rebuilt[i..]);
        }
        let step = &steps[i];
        let outcome = match step.status(&present) {
            Status::Done => Outcome::Done,
            Status::Missing(_) => Outcome::Missing,
            Status::Ready => {
                println!("[{}/{total}] {}", i + 1, step.label());
                match run_step(&mut runner, &opts.preset, &step.kind, &step.output) {
                    Ok(()) => Outcome::Ran,
                    Err(e) => {
                        eprintln!("  failed: {e:#}");
                        Outcome::Failed(format!("{e:#}"))
                    }
                }
            }
        };
        outcomes.push(outcome);
    }

    let study = study::gather(
        &steps,
        &layout,
        &opts.models,
        &opts.preset.name,
        start.elapsed().as_secs_f64(),
    );
    write_atomic(
        &layout.results.join(report::STUDY_FILE),
        serde_json::to_string_pretty(&study)?.as_bytes(),
    )?;
    report::write(&study, &layout.results, &layout.report).context("writing the report")?;

    summarise(&steps, &outcomes);
    print_missing(&survey);
    println!(
        "results in {}, report in {}",
        layout.results.join(report::STUDY_FILE).display(),
        layout.report.join("index.html").display()
    );
    let failed = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Failed(_)))
        .count();
    if failed > 0 {
        anyhow::bail!("{failed} step(s) failed (see above); rerun to retry them");
    }
    Ok(())
}

fn run_step(
    runner: &mut exec::Runner,
    preset: &Preset,
    kind: &StepKind,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    match kind {
        StepKind::Pretrain { model } => {
            let plan = preset
                .models
                .iter()
                .find(|m| &m.name == model)
                .with_context(|| format!("no model `{model}` in the preset"))?;
            runner.pretrain(plan)
        }
        StepKind::Synthetic { model, transform } => runner.synthetic(model, *transform, out),
        StepKind::Multiview { model, dataset } => runner.multiview(model, dataset, out),
        StepKind::Downstream { model, dataset } => runner.downstream(model, dataset, out),
    }
}

/// The final table: per kind of step, how many were already done, ran, lacked data or failed.
fn summarise(steps: &[plan::Step], outcomes: &[Outcome]) {
    println!(
        "{:12} {:>6} {:>6} {:>14} {:>7}",
        "step", "done", "ran", "missing data", "failed"
    );
    for kind in ["pretrain", "synthetic", "multiview", "downstream"] {
        let mut counts = [0usize; 4];
        for (s, o) in steps.iter().zip(outcomes) {
            if !s.label().starts_with(kind) {
                continue;
            }
            counts[match o {
                Outcome::Done => 0,
                Outcome::Ran => 1,
                Outcome::Missing => 2,
                Outcome::Failed(_) => 3,
            }] += 1;
        }
        println!(
            "{kind:12} {:>6} {:>6} {:>14} {:>7}",
            counts[0], counts[1], counts[2], counts[3]
        );
    }
    for (s, o) in steps.iter().zip(outcomes) {
        if let Outcome::Failed(e) = o {
            println!("  failed: {}: {e}", s.label());
        }
    }
}

fn print_missing(survey: &[data::DataStatus]) {
    let missing: Vec<&data::DataStatus> = survey.iter().filter(|s| !s.present).collect();
    if missing.is_empty() {
        return;
    }
    println!("missing datasets (their steps were skipped):");
    for s in missing {
        println!("  {}: {}", s.name, data::how_to_get(&s.name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn save(path: &std::path::Path, seed: u32, w: u32, h: u32) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        image::RgbImage::from_fn(w, h, |x, y| {
            let v = (x * 7 + y * 13 + seed * 31) % 251;
            image::Rgb([v as u8, (v * 3 % 256) as u8, (seed * 40 % 256) as u8])
        })
        .save(path)
        .unwrap();
    }

    /// The whole pipeline on a tiny data root with a given (random, narrow) encoder: every step
    /// with data runs, `study.json` and the report appear, and a second run only finds done steps.
    #[test]
    fn runs_end_to_end_then_resumes_with_nothing_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        for i in 0..12 {
            save(
                &data.join(format!("imagenet/val/n0{}/{i}.png", i % 2)),
                i,
                40,
                32,
            );
        }
        for o in 1..=3 {
            for a in [0, 90, 180] {
                save(
                    &data.join(format!("coil100/obj{o}__{a}.png")),
                    o * a,
                    32,
                    32,
                );
            }
        }
        for (c, class) in ["cat", "dog"].iter().enumerate() {
            for i in 1..=32 {
                let p = format!("caltech101/101_ObjectCategories/{class}/image_{i:04}.jpg");
                save(&data.join(p), i + 100 * c as u32, 24, 20);
            }
        }
        let mut preset = Preset::quick();
        preset.stats_images = 8;
        preset.sweep_images = 2;
        preset.k = Some(2);
        preset.folds = 2;
        let opts = || Options {
            preset: preset.clone(),
            data_root: data.clone(),
            out: dir.path().join("out"),
            device: Device::Cpu,
            models: vec![("tiny".into(), "random:resnet18:seed=0:width=0.25".into())],
            fetch: false,
            dry_run: false,
        };
        run(opts()).unwrap();
        let layout = Layout::new(&dir.path().join("out"));
        let study = report::read_study(&layout.results).unwrap();
        assert_eq!(study.synthetic.len(), 18);
        assert!(
            study
                .synthetic
                .iter()
                .all(|e| e.mean_similarity.is_finite())
        );
        assert_eq!(study.multiview.len(), 1);
        assert!(study.multiview[0].similarity.is_finite());
        assert_eq!(study.downstream.len(), 1);
        assert_eq!(study.downstream[0].metric, "mean-per-class");
        assert!(layout.report.join("index.html").exists());
        let steps = plan::build(&preset, &["tiny".into()], &layout);
        let done = steps.iter().filter(|s| s.done()).count();
        assert_eq!(done, 20, "18 synthetic, 1 multiview, 1 downstream");
        let stamp = std::fs::metadata(&steps[0].output)
            .unwrap()
            .modified()
            .unwrap();
        run(opts()).unwrap();
        let again = std::fs::metadata(&steps[0].output)
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(stamp, again, "a done step is not rerun");
    }
}
