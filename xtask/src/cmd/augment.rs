//! `cargo xtask augment`: one deterministic op on one image.

use std::path::{Path, PathBuf};

use anyhow::Context;
use sslinv_augment::Op;

/// Arguments of `cargo xtask augment`.
#[derive(clap::Args)]
pub struct Args {
    /// The op name (rotate, affine, resized_crop, resize, center_crop, hflip, vflip,
    /// grayscale, brightness, contrast, saturation, hue, blur, sharpness, invert, equalize,
    /// posterize, elastic).
    #[arg(long)]
    op: String,
    /// The op's parameters, comma separated (e.g. `--param 30` or `--param 23,2.0`).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    param: Vec<f64>,
    /// Input image (any format the image crate reads: PNG, JPEG).
    #[arg(long)]
    input: PathBuf,
    /// Output PNG.
    #[arg(long)]
    output: PathBuf,
}

/// Writes `img` as PNG through a temporary file in the destination folder, then renames.
fn write_png(img: &image::RgbImage, path: &Path) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    img.save_with_format(&tmp, image::ImageFormat::Png)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}

/// Applies the op and writes the PNG.
pub fn run(args: Args) -> anyhow::Result<()> {
    let op = Op::parse(&args.op, &args.param)?;
    let img = sslinv_augment::read_image(&args.input)?;
    let out = op
        .apply(&img)
        .with_context(|| format!("applying {} to {}", args.op, args.input.display()))?;
    write_png(&out, &args.output)?;
    println!(
        "wrote {} ({}x{})",
        args.output.display(),
        out.width(),
        out.height()
    );
    Ok(())
}
