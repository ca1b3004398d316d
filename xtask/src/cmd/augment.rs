//! `cargo xtask augment`: one deterministic op on one image.

use std::path::PathBuf;

/// Arguments of `cargo xtask augment`.
#[derive(clap::Args)]
pub struct Args {
    /// The op name (e.g. rotate, brightness, posterize).
    #[arg(long)]
    op: String,
    /// The op's parameters, comma separated.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    param: Vec<f64>,
    /// Input image.
    #[arg(long)]
    input: PathBuf,
    /// Output PNG.
    #[arg(long)]
    output: PathBuf,
}

/// Applies the op and writes the PNG.
pub fn run(args: Args) -> anyhow::Result<()> {
    let _ = (&args.op, &args.param, &args.input, &args.output);
    anyhow::bail!("augment ops are being built (issue 2)")
}
