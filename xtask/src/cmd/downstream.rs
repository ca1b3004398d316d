//! `cargo xtask downstream`: features of a (possibly fused) model on a downstream dataset's train
//! and test splits (cached on disk), then the paper's linear probe with the dataset's metric,
//! DINO's kNN or few-shot episodes (`--protocol`). `--dataset folder` reads any ImageFolder.
//! The work is `sslinv_study::commands::run_downstream`.

use std::path::PathBuf;

use crate::write_json;
use sslinv_encoders::ModelSpec;
use sslinv_study::commands::{DownstreamJob, run_downstream};

/// Arguments of `cargo xtask downstream`.
#[derive(clap::Args)]
pub struct Args {
    /// Model spec; `a+b+c` fuses several encoders (see --fuse; a `mean:a+b` prefix wins).
    #[arg(long)]
    pub model: String,
    /// Dataset name (cifar10, caltech101, flowers102, 300w, celeba, lsp, causal3dident, synth3d),
    /// or `folder`: `--root` holds `train/<class>/*`, `test/<class>/*` and optionally `val/`
    /// (then used instead of k-fold CV to select the probe's lambda).
    #[arg(long)]
    pub dataset: String,
    /// The evaluation: linear (the paper's probe), knn (DINO's weighted kNN, k = 20,
    /// T = 0.07) or fewshot (5-way 5-shot episodes, 15 queries, 600 episodes, from the test
    /// split); and whose reading of the paper: corrected (default) or paper-code (the paper
    /// script's ridge alpha = 1/lambda). Comma-separated, e.g. `linear,paper-code`.
    #[arg(long, value_delimiter = ',', default_value = "linear")]
    pub protocol: Vec<String>,
    /// Dataset root (default for synth3d: data/synth3d); features are cached under
    /// `<root>/.sslinv-features`.
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// How fused members combine: cat, add or mean.
    #[arg(long, default_value = "cat")]
    pub fuse: String,
    #[command(flatten)]
    pub readout: crate::ReadoutArgs,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Seed of the fold shuffle.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Images per forward pass.
    #[arg(long, default_value_t = 64, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub batch_size: usize,
    /// cpu or cuda.
    #[arg(long, default_value = "cpu")]
    pub device: String,
    /// synth3d only: the target (class, landmarks, hue, rotation, or any synth3d target name).
    #[arg(long, default_value = "class")]
    pub task: String,
    /// synth3d only: which generated set (quick or demo).
    #[arg(long, default_value = "demo", value_parser = ["quick", "demo"])]
    pub synth3d_config: String,
    /// Width multiplier of the widest member, for the grid shift (default: read from the specs).
    #[arg(long)]
    pub width_mult: Option<f64>,
    /// Resize the shorter side to this before the centre crop.
    #[arg(long, default_value_t = 224)]
    pub resize: u32,
    /// Centre crop size.
    #[arg(long, default_value_t = 224)]
    pub crop: u32,
    /// Ridge alpha = 1/lambda, as the paper's script.
    #[arg(long)]
    pub paper_grid: bool,
    /// Output JSON.
    #[arg(long)]
    pub out: PathBuf,
}

/// `--protocol` words: the evaluation (linear, knn, fewshot) and the fidelity protocol.
/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let spec = args
        .readout
        .apply_to(ModelSpec::parse_with(&args.model, args.fuse.parse()?)?)?;
    let job = DownstreamJob {
        model: args.model,
        spec,
        dataset: args.dataset,
        root: args.root,
        protocol: args.protocol,
        task: args.task,
        synth3d_config: args.synth3d_config,
        folds: args.folds,
        seed: args.seed,
        batch_size: args.batch_size,
        device: crate::device(&args.device)?,
        width_mult: args.width_mult,
        resize: args.resize,
        crop: args.crop,
        paper_grid: args.paper_grid,
    };
    let outcome = run_downstream(&job)?;
    write_json(&args.out, &outcome.json)?;
    println!("{} -> {}", outcome.summary, args.out.display());
    Ok(())
}
