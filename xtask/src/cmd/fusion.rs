//! `cargo xtask fusion recommend`.

/// Subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// `recommend`.
    Recommend {},
}

/// Runs the subcommand.
pub fn run(_command: Command) -> anyhow::Result<()> {
    anyhow::bail!("`fusion` is not built yet (issue 9)")
}
