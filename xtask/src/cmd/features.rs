//! `cargo xtask features`: pooled backbone features of images.

/// Arguments of `cargo xtask features`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`features` is not built yet (issue 3)")
}
