//! `cargo xtask pretrain`: self-supervised pretraining.

/// Arguments of `cargo xtask pretrain`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`pretrain` is not built yet (issue 8)")
}
