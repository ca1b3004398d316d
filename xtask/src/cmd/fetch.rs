//! `cargo xtask fetch model|dataset`: what to download.

subcommands! {
    /// A registry model (e.g. torchvision/resnet50) into the hub cache.
    Model => fetch_model,
    /// A dataset, unpacked to its real layout under the data root.
    Dataset => fetch_dataset,
}
