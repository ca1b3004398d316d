//! `cargo xtask datasets render`.

/// Arguments of `cargo xtask datasets render`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`datasets render` is not built yet (issue 5)")
}
