//! `cargo xtask downstream`: features plus probe on a downstream dataset.

/// Arguments of `cargo xtask downstream`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`downstream` is not built yet (issue 9)")
}
