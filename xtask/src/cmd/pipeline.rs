//! `cargo xtask pipeline`: a study preset (`paper`, `quick`, `smoke`, `demo`, or a TOML file)
//! over a data root, through the study runner: the whole plan, one step, or the plan as JSON.

use anyhow::{Context, bail};
use sslinv_study::{Outcome, Preset, Source, parse_given_models, prepare};
use std::path::PathBuf;

/// Arguments of `cargo xtask pipeline`.
#[derive(clap::Args)]
pub struct Args {
    /// A built-in preset (`paper`, `quick`, `smoke`, `demo`, `demo-quick`, `demo-long`) or a TOML file.
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
    let models = parse_given_models(&args.models)?;
    if let [kind, dir] = args.emit.as_slice() {
        if kind != "slurm" {
            bail!("`--emit {kind}`: only `slurm` is supported");
        }
        let (runner, _) = prepare(&preset, &source, &out, crate::device("cpu")?, &models, true)?;
        let exe = std::env::current_exe().context("locating the xtask binary")?;
        let opts = sslinv_study::SlurmOptions {
            command: sslinv_study::pipeline_command(
                &exe,
                &args.preset,
                &out,
                &source,
                &args.models,
            )?,
            device: args.device.clone(),
            cpus: 4,
        };
        let stages = sslinv_study::emit(&runner.plan, &runner.data, dir.as_ref(), &opts)?;
        println!(
            "wrote {} job arrays ({}); submit with {dir}/submit.sh",
            stages.len(),
            stages.iter().map(|s| s.kind).collect::<Vec<_>>().join(", ")
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
            let what = if outcome == Outcome::Done {
                "already done"
            } else {
                "done"
            };
            println!("{id}: {what}");
            return Ok(());
        }
        if args.list_steps {
            println!("{}", serde_json::to_string_pretty(&runner.steps_json())?);
        } else {
            print!("{}", runner.plan_table(&survey));
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
    println!("{}", runner.run_to_end(&survey)?);
    Ok(())
}
