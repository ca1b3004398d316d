//! `cargo xtask features`: pooled backbone features of a folder (sorted paths) or a list of
//! images, saved as safetensors under `features` with the model and preprocessing as metadata.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context;
use sslinv_encoders::{ExtractOptions, extract, load_encoder};

/// Arguments of `cargo xtask features`.
#[derive(clap::Args)]
pub struct Args {
    /// Model spec (ARCH:PATH, a registry name, hf:REPO:FILE, random:ARCH:seed=N, a+b).
    #[arg(long)]
    pub model: String,
    #[command(flatten)]
    readout: crate::ReadoutArgs,
    /// A folder of .png/.jpg images (searched recursively, sorted by path) or a text file with
    /// one image path per line (relative paths are taken from the file's folder).
    #[arg(long)]
    pub images: PathBuf,
    /// Output safetensors file.
    #[arg(long)]
    pub out: PathBuf,
    /// Resize the shorter side to this (0: keep the size).
    #[arg(long, default_value_t = 256)]
    pub resize: u32,
    /// Centre crop to this square (0: no crop).
    #[arg(long, default_value_t = 224)]
    pub crop: u32,
    /// Images per forward pass.
    #[arg(long, default_value_t = 32, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub batch_size: usize,
    /// cpu or cuda.
    #[arg(long, default_value = "cpu")]
    pub device: String,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let dev = crate::device(&args.device)?;
    let paths = sslinv_datasets::stream::FileList::folder_or_list(&args.images)?.paths();
    let model = args.readout.apply(&args.model)?;
    let encoder = load_encoder(&model, &dev).with_context(|| format!("loading model `{model}`"))?;
    // The model's own mean/std and resampling at the asked geometry.
    let prep = sslinv_encoders::eval_preprocess(
        &sslinv_encoders::ModelSpec::parse(&model)?,
        (args.resize > 0).then_some(args.resize),
        (args.crop > 0).then_some(args.crop),
    )?;
    let opts = ExtractOptions::new(args.batch_size).with_progress("features");
    let features = extract(encoder.as_ref(), &paths, &prep, &dev, &opts)?;
    let (data, d) = (features.data, features.dim);
    let meta = HashMap::from([
        ("model".to_string(), model.clone()),
        ("dataset".to_string(), args.images.display().to_string()),
        (
            "preprocess".to_string(),
            format!(
                "resize={},crop={},mean={:?},std={:?},{:?}",
                args.resize, args.crop, prep.mean, prep.std, prep.interpolation
            ),
        ),
        ("count".to_string(), paths.len().to_string()),
    ]);
    // A unique temp file and a rename: two runs writing one output never tear it.
    sslinv_study::steps::features::write_features(&args.out, &data, paths.len(), d, meta)?;
    println!(
        "{} x {d} features of {} images -> {}",
        paths.len(),
        paths.len(),
        args.out.display()
    );
    Ok(())
}
