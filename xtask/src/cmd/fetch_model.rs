//! `cargo xtask fetch model`: download a registry model (or `hf:REPO:FILE`) into the hub cache
//! (HF_HOME; HF_HUB_OFFLINE=1 uses the cache only) and check that it loads.

use anyhow::Context;
use candle_core::Device;
use sslinv_encoders::ModelSpec;
use sslinv_encoders::load::{load_state, resolve_file};
use sslinv_encoders::remap::describe;

/// Arguments of `cargo xtask fetch model`.
#[derive(clap::Args)]
pub struct Args {
    /// Registry name (torchvision/resnet50, barlowtwins/resnet50, dino/resnet50, ...) or hf:REPO:FILE.
    pub name: String,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let spec = ModelSpec::parse(&args.name)?;
    if !matches!(spec, ModelSpec::Registry(_) | ModelSpec::Hub { .. }) {
        let names = sslinv_encoders::registry::names().join(", ");
        anyhow::bail!(
            "`{}` is not a registry name or hf:REPO:FILE (registry: {names})",
            args.name
        );
    }
    let (path, arch, remap) =
        resolve_file(&spec, true)?.context("a hub spec always names a file")?;
    let (config, tensors) = load_state(&path, arch, remap, &Device::Cpu)
        .with_context(|| format!("checking the downloaded {}", path.display()))?;
    println!("{}", path.display());
    println!(
        "{} tensors, {}, {}-d features",
        tensors.len(),
        describe(&config),
        config.dim()
    );
    Ok(())
}
