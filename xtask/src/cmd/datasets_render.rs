//! `cargo xtask datasets render`: contact sheets of the embedded synth3d scenes.

use anyhow::Context;
use sslinv_datasets::synth3d::{landmark_sheet, sample_grid};
use std::path::PathBuf;

/// Arguments of `cargo xtask datasets render`.
#[derive(clap::Args)]
pub struct Args {
    /// Folder for `synth3d_grid.png` (a row per class, then a viewpoint, an illumination and a
    /// temperature sweep) and `synth3d_landmarks.png` (one sample per class with its 8 landmarks).
    #[arg(long, default_value = "out/synth3d")]
    pub out: PathBuf,
    /// Seed of the rendered scenes.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Tile size in pixels.
    #[arg(long, default_value_t = 64)]
    pub size: u32,
    /// Images per row.
    #[arg(long, default_value_t = 10)]
    pub cols: usize,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let grid =
        sample_grid(args.seed, args.size, args.cols).context("rendering the synth3d grid")?;
    let grid_path = args.out.join("synth3d_grid.png");
    save(&grid, &grid_path)?;
    let sheet =
        landmark_sheet(args.seed, args.size, 4).context("rendering the synth3d landmark sheet")?;
    let sheet_path = args.out.join("synth3d_landmarks.png");
    save(&sheet, &sheet_path)?;
    println!("wrote {} and {}", grid_path.display(), sheet_path.display());
    Ok(())
}

/// Writes a PNG through a temp file and a rename, so a reader never sees half an image.
fn save(img: &image::RgbImage, path: &std::path::Path) -> anyhow::Result<()> {
    let tmp = path.with_extension("png.tmp");
    img.save_with_format(&tmp, image::ImageFormat::Png)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))
}
