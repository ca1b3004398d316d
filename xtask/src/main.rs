//! `cargo xtask`: the sslinv command line (see DESIGN.md for the contract).

mod cmd;

use anyhow::{Context, bail};
use candle_core::Device;
use clap::{Parser, Subcommand};

/// `--pool` / `--layers`: which features a ViT hands out (ResNets ignore them).
#[derive(clap::Args, Clone, Default)]
pub struct ReadoutArgs {
    /// ViT pooling: default (timm's pooled pre-logits), cls, mean or cls+mean.
    #[arg(long)]
    pub pool: Option<String>,
    /// ViT: concatenate the last N blocks' outputs (DINO's linear evaluation uses 4).
    #[arg(long)]
    pub layers: Option<usize>,
}

impl ReadoutArgs {
    /// A parsed spec with the flags applied to its ViT members.
    pub fn apply_to(
        &self,
        spec: sslinv_encoders::ModelSpec,
    ) -> anyhow::Result<sslinv_encoders::ModelSpec> {
        Ok(spec.with_readout_flags(self.pool.as_deref(), self.layers)?)
    }

    /// `model` with the flags applied, as a canonical spec (unchanged without flags, so caches
    /// keyed by it stay valid).
    pub fn apply(&self, model: &str) -> anyhow::Result<String> {
        if self.pool.is_none() && self.layers.is_none() {
            return Ok(model.to_string());
        }
        Ok(self
            .apply_to(sslinv_encoders::ModelSpec::parse(model)?)?
            .to_string())
    }
}

/// Writes `value` as pretty JSON atomically (unique temp file, then rename; parents created).
pub fn write_json(path: &std::path::Path, value: &impl serde::Serialize) -> anyhow::Result<()> {
    use anyhow::Context;
    let bytes = serde_json::to_vec_pretty(value)?;
    sslinv_encoders::write_atomic(path, &bytes)
        .with_context(|| format!("writing {}", path.display()))
}

/// The candle device named `name` (`cpu`, or `cuda` in a build with `--features cuda`).
pub fn device(name: &str) -> anyhow::Result<Device> {
    match name {
        "cpu" => Ok(Device::Cpu),
        "cuda" if cfg!(feature = "cuda") => Device::new_cuda(0).context("opening CUDA device 0"),
        "cuda" => bail!(
            "this build has no CUDA support: build with `cargo run --release -p xtask --features cuda -- ...`"
        ),
        other => bail!("unknown device `{other}` (cpu, cuda)"),
    }
}

/// Which invariances did a vision encoder learn, and how do they decide what it transfers to?
#[derive(Parser)]
#[command(name = "cargo xtask", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The whole pipeline on the embedded synth3d data, on CPU.
    Demo(cmd::demo::Args),
    /// Download a model or a dataset through the Hugging Face Hub.
    #[command(subcommand)]
    Fetch(cmd::fetch::Command),
    /// Apply one deterministic augment op to an image at its own size.
    Augment(cmd::augment::Args),
    /// Pooled backbone features of a folder or list of images.
    Features(cmd::features::Args),
    /// Self-supervised pretraining.
    Pretrain(cmd::pretrain::Args),
    /// Measure invariance: synthetic, multi-view (real-world) or extrinsic.
    #[command(subcommand)]
    Invariance(cmd::invariance::Command),
    /// A probe (logistic regression, ridge, DINO's kNN, few-shot episodes) on saved features.
    Probe(cmd::probe::Args),
    /// RankMe, the label-free transfer predictor, of saved features.
    Rankme(cmd::rankme::Args),
    /// Features plus the right probe on a downstream dataset.
    Downstream(cmd::downstream::Args),
    /// Inspect or render datasets.
    #[command(subcommand)]
    Datasets(cmd::datasets::Command),
    /// Choose a fusion of encoders for a task.
    #[command(subcommand)]
    Fusion(cmd::fusion::Command),
    /// The paper's full study at scale.
    Pipeline(cmd::pipeline::Args),
    /// Rebuild the report from result JSON.
    Report(cmd::report::Args),
}

/// Training allocates and frees tensors of the same sizes every step; mimalloc reuses them where
/// the system allocator hands large blocks back to the OS and page-faults them in again.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // SAFETY: no other thread exists yet.
    unsafe { sslinv_kernels::configure_process() };
    // The same numbers for any thread count.
    sslinv_heads::sequential_decompositions();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => cmd::demo::run(args),
        Command::Fetch(command) => cmd::fetch::run(command),
        Command::Augment(args) => cmd::augment::run(args),
        Command::Features(args) => cmd::features::run(args),
        Command::Pretrain(args) => cmd::pretrain::run(args),
        Command::Invariance(command) => cmd::invariance::run(command),
        Command::Probe(args) => cmd::probe::run(args),
        Command::Rankme(args) => cmd::rankme::run(args),
        Command::Downstream(args) => cmd::downstream::run(args),
        Command::Datasets(command) => cmd::datasets::run(command),
        Command::Fusion(command) => cmd::fusion::run(command),
        Command::Pipeline(args) => cmd::pipeline::run(args),
        Command::Report(args) => cmd::report::run(args),
    };
    if let Err(err) = result {
        // One line: the chain of causes, outermost first.
        eprintln!("error: {err:#}");
        std::process::exit(1);
    }
}
