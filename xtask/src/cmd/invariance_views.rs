//! `cargo xtask invariance views`: the images a sweep feeds the encoder, one PNG per setting.

use std::path::PathBuf;

use anyhow::Context;
use sslinv_augment::{Preprocess, Protocol, Sweep, Transform};

/// Arguments of `invariance views`.
#[derive(clap::Args)]
pub struct ViewsArgs {
    /// Transform name (`rotation`, ..., `posterize`).
    #[arg(long)]
    transform: String,
    /// Input image.
    #[arg(long)]
    image: PathBuf,
    /// Output folder (`NNN_<parameters>.png`, NNN the setting's index).
    #[arg(long)]
    out: PathBuf,
    /// Number of settings (default: the paper's).
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    k: Option<usize>,
    /// `corrected` (default) or `paper-code` (the paper code's sweep, quirks included).
    #[arg(long, default_value = "corrected")]
    protocol: Protocol,
    /// Shorter side before the centre crop.
    #[arg(long, default_value_t = 256)]
    resize: u32,
    /// Final square side.
    #[arg(long, default_value_t = 224)]
    crop: u32,
}

/// Runs `invariance views`.
pub fn run(args: ViewsArgs) -> anyhow::Result<()> {
    let t: Transform = args.transform.parse()?;
    let img = sslinv_augment::read_image(&args.image)?;
    let sweep = Sweep::with_protocol(t, args.k, args.protocol);
    let prep = Preprocess::new(Some(args.resize), Some(args.crop));
    let paths = sslinv_invariance::write_sweep_views(&sweep, &img, &prep, &args.out)
        .with_context(|| format!("writing the {} views of {}", t, args.image.display()))?;
    println!(
        "wrote {} views ({}, {}) to {}",
        paths.len(),
        t,
        args.protocol,
        args.out.display()
    );
    Ok(())
}
