//! `cargo xtask invariance synthetic|multiview|extrinsic`.

/// Subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// `synthetic`.
    Synthetic {},
    /// `multiview`.
    Multiview {},
    /// `extrinsic`.
    Extrinsic {},
}

/// Runs the subcommand.
pub fn run(_command: Command) -> anyhow::Result<()> {
    anyhow::bail!("`invariance` is not built yet (issue 6)")
}
