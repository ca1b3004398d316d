//! `cargo xtask datasets check|render`.

subcommands! {
    /// Report what a dataset root holds (counts per split, target shapes, group sizes, unreadable files).
    Check => datasets_check,
    /// Render a sample grid of the embedded synth3d scenes.
    Render => datasets_render,
}
