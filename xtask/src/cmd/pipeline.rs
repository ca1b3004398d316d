//! `cargo xtask pipeline`: the paper's full study.

/// Arguments of `cargo xtask pipeline`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`pipeline` is not built yet (issue 9)")
}
