//! `cargo xtask pipeline`: the paper's full study.

use anyhow::{Context, bail};
use candle_core::Device;
use std::path::PathBuf;

/// Arguments of `cargo xtask pipeline`.
#[derive(clap::Args)]
pub struct Args {
    /// `paper` (the paper's scale; GPUs for days) or `quick` (a smaller study on downloaded data).
    #[arg(long, default_value = "quick")]
    preset: String,
    /// Folder holding one sub-folder per dataset (see docs/reproduction.md).
    #[arg(long, default_value = "data")]
    data_root: PathBuf,
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
}

/// The candle device named `name`.
pub fn device(name: &str) -> anyhow::Result<Device> {
    match name {
        "cpu" => Ok(Device::Cpu),
        "cuda" if cfg!(feature = "cuda") => Device::new_cuda(0).context("opening CUDA device 0"),
        "cuda" => bail!(
            "this build has no CUDA support: run `cargo run --release -p xtask --features cuda -- pipeline ...`"
        ),
        other => bail!("unknown device `{other}` (cpu, cuda)"),
    }
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
    let preset = crate::pipeline::Preset::named(&args.preset)?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("runs/pipeline-{}", preset.name)));
    crate::pipeline::run(crate::pipeline::Options {
        preset,
        data_root: args.data_root,
        out,
        device: device(&args.device)?,
        models: parse_models(&args.models)?,
        fetch: args.fetch,
        dry_run: args.dry_run,
    })
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

    #[test]
    fn devices() {
        assert!(device("cpu").is_ok());
        assert!(device("tpu").is_err());
        if !cfg!(feature = "cuda") {
            let e = device("cuda").unwrap_err().to_string();
            assert!(e.contains("features cuda"), "{e}");
        }
    }
}
