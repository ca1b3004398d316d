//! `cargo xtask probe`: a probe on saved features.

/// Arguments of `cargo xtask probe`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`probe` is not built yet (issue 4)")
}
