//! `cargo xtask demo`: the whole study on the embedded synth3d data.

use std::path::PathBuf;

/// Arguments of `cargo xtask demo`.
#[derive(clap::Args)]
pub struct Args {
    /// A smaller run (about two minutes on two cores), used by the CI smoke test.
    #[arg(long)]
    quick: bool,
    /// Where results, checkpoints and the report go.
    #[arg(long, default_value = "out/demo")]
    out: PathBuf,
    /// Where the rendered synth3d data is cached.
    #[arg(long, default_value = "data/synth3d")]
    data: PathBuf,
}

/// Runs the demo.
pub fn run(args: Args) -> anyhow::Result<()> {
    crate::demo::run(args.quick, &args.out, &args.data)
}
