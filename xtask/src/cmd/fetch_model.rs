//! `cargo xtask fetch model`: download a registry model (or `hf:REPO:FILE`) into the hub cache
//! (HF_HOME; HF_HUB_OFFLINE=1 uses the cache only) and check that it loads.

use candle_core::Device;
use sslinv_encoders::ModelSpec;
use sslinv_encoders::load::{load_model, resolve_file};

/// Arguments of `cargo xtask fetch model`.
#[derive(clap::Args)]
pub struct Args {
    /// Registry name (torchvision/resnet50, dino/vit_small_patch16, dinov2/vit_base_patch14, ...)
    /// or hf:REPO:FILE.
    pub name: String,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let spec = ModelSpec::parse(&args.name)?;
    if !matches!(spec, ModelSpec::Registry { .. } | ModelSpec::Hub { .. }) {
        let names = sslinv_encoders::registry::names().join(", ");
        anyhow::bail!(
            "`{}` is not a registry name or hf:REPO:FILE (registry: {names})",
            args.name
        );
    }
    if let Some((path, ..)) = resolve_file(&spec, true)? {
        println!("{}", path.display());
    }
    // Loading checks the architecture, every tensor's name and shape.
    let model = load_model(&spec, &Device::Cpu)?;
    let p = &model.preprocess;
    println!(
        "{}: {}-d features; eval preprocessing resize {:?}, crop {:?}, mean {:?}, std {:?}",
        model.spec,
        model.encoder.dim(),
        p.resize,
        p.crop,
        p.mean,
        p.std
    );
    Ok(())
}
