//! `cargo xtask datasets check`.

/// Arguments of `cargo xtask datasets check`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`datasets check` is not built yet (issue 5)")
}
