//! `cargo xtask datasets check|render`.

/// Subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Report what a dataset root holds (counts per split, target shapes, group sizes, unreadable files).
    Check(super::datasets_check::Args),
    /// Render a sample grid of the embedded synth3d scenes.
    Render(super::datasets_render::Args),
}

/// Runs the subcommand.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Check(args) => super::datasets_check::run(args),
        Command::Render(args) => super::datasets_render::run(args),
    }
}
