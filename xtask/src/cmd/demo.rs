//! `cargo xtask demo`: the whole study on the embedded synth3d data (the `demo` preset, or
//! `demo-quick` with `--quick`), through the same runner as `pipeline`.

use std::path::PathBuf;

/// Arguments of `cargo xtask demo`.
#[derive(clap::Args)]
pub struct Args {
    /// The smoke-test size (about two minutes on two cores), used by CI; its numbers mean nothing.
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
    let preset = if args.quick { "demo-quick" } else { "demo" };
    super::pipeline::run_study(
        preset,
        sslinv_study::Source::Synth3d { cache: args.data },
        args.out,
        "cpu",
        &[],
    )
}
