//! `cargo xtask fetch dataset`: download a dataset and unpack it to its real layout.

/// Arguments of `cargo xtask fetch dataset`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`fetch_dataset` is not built yet (issue 5)")
}
