//! `cargo xtask datasets check|render`.

/// Subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// `check`.
    Check {},
    /// `render`.
    Render {},
}

/// Runs the subcommand.
pub fn run(_command: Command) -> anyhow::Result<()> {
    anyhow::bail!("`datasets` is not built yet (issue 5)")
}
