//! `cargo xtask fetch model|dataset`.

/// What to download.
#[derive(clap::Subcommand)]
pub enum Command {
    /// A registry model (e.g. torchvision/resnet50) into the hub cache.
    Model(super::fetch_model::Args),
    /// A dataset, unpacked to its real layout under the data root.
    Dataset(super::fetch_dataset::Args),
}

/// Runs the chosen download.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Model(args) => super::fetch_model::run(args),
        Command::Dataset(args) => super::fetch_dataset::run(args),
    }
}
