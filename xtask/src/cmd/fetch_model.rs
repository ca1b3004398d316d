//! `cargo xtask fetch model`: download a registry model into the hub cache.

/// Arguments of `cargo xtask fetch model`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`fetch_model` is not built yet (issue 3)")
}
