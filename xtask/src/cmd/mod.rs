//! One module per `cargo xtask` command.

/// A command group whose subcommands each run one module's `run(Args)`: its `Command` enum
/// (a variant's doc comment is its help) and the `run` that dispatches to the module.
macro_rules! subcommands {
    ($($(#[$doc:meta])* $variant:ident => $module:ident,)+) => {
        /// Subcommands.
        #[derive(clap::Subcommand)]
        pub enum Command {
            $($(#[$doc])* $variant(super::$module::Args),)+
        }

        /// Runs the subcommand.
        pub fn run(command: Command) -> anyhow::Result<()> {
            match command {
                $(Command::$variant(args) => super::$module::run(args),)+
            }
        }
    };
}

pub mod augment;
pub mod datasets;
pub mod datasets_check;
pub mod datasets_render;
pub mod demo;
pub mod downstream;
pub mod features;
pub mod fetch;
pub mod fetch_dataset;
pub mod fetch_model;
pub mod fusion;
pub mod invariance;
pub mod invariance_views;
pub mod pipeline;
pub mod pretrain;
pub mod probe;
pub mod rankme;
pub mod report;
