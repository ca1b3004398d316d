//! `cargo xtask pipeline`: a study preset (`paper`, `quick`, `smoke`, `demo`, or a TOML file)
//! over a data root, through the study runner: the whole plan, one step, or the plan as JSON.

use anyhow::{Context, bail};
use sslinv_study::{Outcome, Preset, Source, Status, how_to_get, prepare};
use std::path::PathBuf;

/// Arguments of `cargo xtask pipeline`.
#[derive(clap::Args)]
pub struct Args {
    /// A built-in preset (`paper`, `quick`, `smoke`, `demo`, `demo-quick`) or a TOML file.
    #[arg(long, default_value = "quick")]
    preset: String,
    /// Folder holding one sub-folder per dataset (see docs/reproduction.md); synth3d presets
    /// take their render cache here instead (default `data/synth3d`).
    #[arg(long)]
    data_root: Option<PathBuf>,
    /// Where checkpoints, features, results and the report go (default: runs/pipeline-<preset>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// `cpu` or `cuda` (the latter needs a build with `--features cuda`).
    #[arg(long, default_value = "cpu")]
    device: String,
    /// Study these encoders instead of pretraining: NAME=SPEC, repeatable or comma-separated
    /// (e.g. `default=resnet50:ckpt/default.safetensors` or `tv=torchvision/resnet50`).
    #[arg(long, value_delimiter = ',')]
    models: Vec<String>,
    /// Download absent datasets that have a Hugging Face Hub copy before running.
    #[arg(long)]
    fetch: bool,
    /// Print the plan and each step's status, run nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the plan as JSON (id, kind, inputs, outputs, status) and run nothing.
    #[arg(long)]
    list_steps: bool,
    /// Run only this step (its inputs must be done; done already is success).
    #[arg(long)]
    step: Option<String>,
    /// Write a submission instead of running: `--emit slurm DIR` (job arrays per stage,
    /// `DIR/submit.sh` submits them with their dependencies).
    #[arg(long, num_args = 2, value_names = ["KIND", "DIR"])]
    emit: Vec<String>,
}

/// `NAME=SPEC` pairs; names must be unique and free of `+` and `/`.
fn parse_models(items: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for item in items.iter().filter(|s| !s.trim().is_empty()) {
        let Some((name, spec)) = item.split_once('=') else {
            bail!("`--models {item}`: expected NAME=SPEC");
        };
        let (name, spec) = (name.trim(), spec.trim());
        if name.is_empty() || spec.is_empty() || name.contains(['+', '/', '\\']) {
            bail!("`--models {item}`: a plain NAME (no `+` or `/`) and a SPEC are needed");
        }
        if out.iter().any(|(n, _)| n == name) {
            bail!("`--models`: `{name}` given twice");
        }
        out.push((name.to_string(), spec.to_string()));
    }
    Ok(out)
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let preset = Preset::load(&args.preset)?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("runs/pipeline-{}", preset.name)));
    let source = match preset.synth3d() {
        Some(_) => Source::Synth3d {
            cache: args.data_root.unwrap_or_else(|| "data/synth3d".into()),
        },
        None => Source::Root {
            root: args.data_root.unwrap_or_else(|| "data".into()),
            fetch: args.fetch,
        },
    };
    let models = parse_models(&args.models)?;
    if let [kind, dir] = args.emit.as_slice() {
        if kind != "slurm" {
            bail!("`--emit {kind}`: only `slurm` is supported");
        }
        let (runner, _) = prepare(&preset, &source, &out, crate::device("cpu")?, &models, true)?;
        let exe = std::env::current_exe().context("locating the xtask binary")?;
        let mut command = format!(
            "{} pipeline --preset {} --out {} --device {}",
            exe.display(),
            std::path::absolute(&args.preset).map_or(args.preset.clone(), |p| {
                if p.exists() {
                    p.display().to_string()
                } else {
                    args.preset.clone()
                }
            }),
            std::path::absolute(&out)?.display(),
            args.device
        );
        let (Source::Root { root, .. } | Source::Synth3d { cache: root }) = &source;
        command.push_str(&format!(
            " --data-root {}",
            std::path::absolute(root)?.display()
        ));
        if !args.models.is_empty() {
            command.push_str(&format!(" --models {}", args.models.join(",")));
        }
        let opts = sslinv_study::SlurmOptions {
            command,
            gpus: args.device == "cuda",
            cpus: 4,
        };
        let stages = sslinv_study::emit(&runner.plan, dir.as_ref(), &opts)?;
        println!(
            "wrote {} job arrays ({}); submit with {dir}/submit.sh",
            stages.len(),
            stages.join(", ")
        );
        return Ok(());
    }
    if args.list_steps || args.dry_run || args.step.is_some() {
        let dry = args.list_steps || args.dry_run;
        let (mut runner, survey) = prepare(
            &preset,
            &source,
            &out,
            crate::device(&args.device)?,
            &models,
            dry,
        )?;
        if let Some(id) = args.step {
            runner.progress = true;
            let outcome = runner.run_step(&id)?;
            println!(
                "{id}: {}",
                if outcome == Outcome::Done {
                    "already done"
                } else {
                    "done"
                }
            );
            return Ok(());
        }
        if args.list_steps {
            let rows: Vec<serde_json::Value> = runner
                .plan
                .steps
                .iter()
                .map(|s| {
                    let mut v = serde_json::to_value(s).unwrap_or_default();
                    v["status"] = serde_json::to_value(runner.plan.status(s, &runner.data))
                        .unwrap_or_default();
                    v
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&rows)?);
            return Ok(());
        }
        for s in &survey {
            println!(
                "  {:22} {:8} {}",
                s.name,
                if s.present { "present" } else { "MISSING" },
                s.detail
            );
        }
        println!(
            "plan ({} steps, preset `{}`):",
            runner.plan.steps.len(),
            preset.name
        );
        for s in &runner.plan.steps {
            let status = match runner.plan.status(s, &runner.data) {
                Status::Done => "done".to_string(),
                Status::Ready => "to run".to_string(),
                Status::Waiting(w) => format!("after {} step(s)", w.len()),
                Status::MissingData(m) => format!("missing data: {}", m.join(", ")),
            };
            println!("  {:48} {status}", s.id);
        }
        return Ok(());
    }
    run_study(&args.preset, source, out, &args.device, &models)
}

/// Runs every step of a preset's plan, then prints the findings and where the report went.
pub fn run_study(
    preset: &str,
    source: Source,
    out: PathBuf,
    device: &str,
    models: &[(String, String)],
) -> anyhow::Result<()> {
    let preset = Preset::load(preset)?;
    let (mut runner, survey) = prepare(
        &preset,
        &source,
        &out,
        crate::device(device)?,
        models,
        false,
    )?;
    for s in survey.iter().filter(|s| !s.present) {
        println!(
            "missing `{}` (its steps are skipped): {}",
            s.name,
            how_to_get(&s.name)
        );
    }
    let outcomes = runner.run();
    let count = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|(_, o)| f(o)).count();
    println!(
        "steps: {} ran, {} already done, {} missing data, {} blocked, {} failed",
        count(|o| *o == Outcome::Ran),
        count(|o| *o == Outcome::Done),
        count(|o| *o == Outcome::MissingData),
        count(|o| *o == Outcome::Blocked),
        count(|o| matches!(o, Outcome::Failed(_)))
    );
    let results = runner.layout.results.clone();
    let study = sslinv_study::report::read_study(&results)
        .with_context(|| format!("reading the study in {}", results.display()))?;
    if study.smoke {
        println!("{}", sslinv_study::report::SMOKE_NOTE);
    }
    for f in &study.findings {
        println!("  [{}] {} ({})", f.verdict.label(), f.claim, f.detail);
    }
    println!(
        "results in {}, report in {}",
        results.join(sslinv_study::report::STUDY_FILE).display(),
        runner.layout.report.join("index.html").display()
    );
    let failed: Vec<&String> = outcomes
        .iter()
        .filter_map(|(id, o)| matches!(o, Outcome::Failed(_)).then_some(id))
        .collect();
    if !failed.is_empty() {
        bail!(
            "{} step(s) failed ({}); rerun to retry them",
            failed.len(),
            failed
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_parse_and_bad_ones_are_refused() {
        let m =
            parse_models(&["a=torchvision/resnet50".into(), "b=resnet18:x.pth".into()]).unwrap();
        assert_eq!(m[1], ("b".to_string(), "resnet18:x.pth".to_string()));
        assert!(parse_models(&["nospec".into()]).is_err());
        assert!(parse_models(&["a+b=x".into()]).is_err());
        assert!(parse_models(&["a=x".into(), "a=y".into()]).is_err());
    }
}
