//! `cargo xtask report`: rebuild the report from result JSON.

/// Arguments of `cargo xtask report`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`report` is not built yet (issue 9)")
}
