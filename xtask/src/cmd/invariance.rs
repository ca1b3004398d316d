//! `cargo xtask invariance synthetic|multiview|extrinsic|views`: the paper's synthetic,
//! real-world and extrinsic invariance of an encoder, with feature statistics cached per model.
//! The work is `sslinv_study::commands`.

use std::path::PathBuf;

use crate::write_json;
use sslinv_augment::Protocol;
use sslinv_study::commands::{
    ExtrinsicJob, ModelJob, MultiviewJob, SyntheticJob, default_stats_dir, run_extrinsic,
    run_multiview, run_synthetic,
};

/// Subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// The paper's synthetic sweeps: whitened cosine similarity and Mahalanobis distance of
    /// clean vs transformed features.
    Synthetic(SyntheticArgs),
    /// Real-world invariance over the view groups of a dataset (or synth3d-viewpoint,
    /// synth3d-illumination, synth3d-temperature).
    Multiview(MultiviewArgs),
    /// Latent regression with RBF kernel ridge (causal3dident or synth3d): R^2 per latent.
    Extrinsic(ExtrinsicArgs),
    /// The images a sweep feeds the encoder, as PNGs named by setting index and parameters.
    Views(super::invariance_views::ViewsArgs),
}

/// Options shared by both subcommands.
#[derive(clap::Args)]
pub struct Common {
    /// Model spec (e.g. `random:resnet18:seed=0`, `resnet50:weights.safetensors`).
    #[arg(long)]
    model: String,
    /// Images per forward pass for the statistics.
    #[arg(long, default_value_t = 64, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    batch_size: usize,
    /// `cpu` or `cuda`.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// Folder of cached feature statistics.
    #[arg(long)]
    cache: Option<PathBuf>,
    #[command(flatten)]
    readout: crate::ReadoutArgs,
}

/// Arguments of `invariance synthetic`.
#[derive(clap::Args)]
pub struct SyntheticArgs {
    #[command(flatten)]
    common: Common,
    /// Transform name (`rotation`, ..., `posterize`) or `all`.
    #[arg(long)]
    transform: String,
    /// Folder of images (searched recursively, sorted by path).
    #[arg(long)]
    images: PathBuf,
    /// Folder of images for the feature statistics (default: --images).
    #[arg(long)]
    stats_images: Option<PathBuf>,
    /// Draw this many images with --seed (default: every image, sorted; with
    /// `--protocol paper-code`, as many draws with replacement).
    #[arg(long)]
    num_images: Option<usize>,
    /// Number of settings (default: the paper's).
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    k: Option<usize>,
    /// Seed of the image draw and of the equivariance probe's split.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Shorter side before the centre crop.
    #[arg(long, default_value_t = 256)]
    resize: u32,
    /// Final square side.
    #[arg(long, default_value_t = 224)]
    crop: u32,
    /// `corrected` (default) or `paper-code`: the paper code's sweeps and its image draw
    /// with replacement (docs/reproduction.md).
    #[arg(long, default_value = "corrected")]
    protocol: Protocol,
    /// Output JSON (with `all`: the summary; per-transform files go next to it).
    #[arg(long)]
    out: PathBuf,
}

/// Arguments of `invariance multiview`.
#[derive(clap::Args)]
pub struct MultiviewArgs {
    #[command(flatten)]
    common: Common,
    /// View-group dataset (coil100, aloi-viewpoint, ..., synth3d-viewpoint).
    #[arg(long)]
    dataset: String,
    /// Dataset root (for synth3d: its cache folder).
    #[arg(long)]
    root: PathBuf,
    /// Folder of images for the feature statistics (default: the dataset's own views).
    #[arg(long)]
    stats_images: Option<PathBuf>,
    /// synth3d only: the small quick set instead of the demo set.
    #[arg(long)]
    quick: bool,
    /// Output JSON.
    #[arg(long)]
    out: PathBuf,
}

/// Arguments of `invariance extrinsic`.
#[derive(clap::Args)]
pub struct ExtrinsicArgs {
    #[command(flatten)]
    common: Common,
    /// `causal3dident` or `synth3d`.
    #[arg(long)]
    dataset: String,
    /// Dataset root (for synth3d: its cache folder).
    #[arg(long)]
    root: PathBuf,
    /// Latent to regress: `all`, an index, or a name.
    #[arg(long, default_value = "all")]
    target: String,
    /// Most training images, drawn with --seed (the paper: 4096 x 5).
    #[arg(long, default_value_t = 20480)]
    max_train: usize,
    /// Most test images, drawn with --seed (the paper: 4096 x 10).
    #[arg(long, default_value_t = 40960)]
    max_test: usize,
    /// Seed of the draws and the CV folds.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// synth3d only: the small quick set instead of the demo set.
    #[arg(long)]
    quick: bool,
    /// Output JSON.
    #[arg(long)]
    out: PathBuf,
}

impl Common {
    fn job(self) -> anyhow::Result<ModelJob> {
        Ok(ModelJob {
            spec: self.readout.apply(&self.model)?,
            device: crate::device(&self.device)?,
            cache: self.cache.unwrap_or_else(default_stats_dir),
            batch: self.batch_size,
        })
    }
}

/// Runs the subcommand.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Synthetic(a) => {
            let out = a.out.clone();
            run_synthetic(&SyntheticJob {
                model: a.common.job()?,
                transform: a.transform,
                images: a.images,
                stats_images: a.stats_images,
                num_images: a.num_images,
                k: a.k,
                seed: a.seed,
                resize: a.resize,
                crop: a.crop,
                protocol: a.protocol,
                out: a.out,
            })?;
            println!("wrote {}", out.display());
        }
        Command::Multiview(a) => {
            let result = run_multiview(&MultiviewJob {
                model: a.common.job()?,
                dataset: a.dataset,
                root: a.root,
                stats_images: a.stats_images,
                quick: a.quick,
            })?;
            write_json(&a.out, &result)?;
            eprintln!("{result}");
            println!("wrote {}", a.out.display());
        }
        Command::Extrinsic(a) => {
            let result = run_extrinsic(&ExtrinsicJob {
                model: a.common.job()?,
                dataset: a.dataset,
                root: a.root,
                target: a.target,
                max_train: a.max_train,
                max_test: a.max_test,
                seed: a.seed,
                quick: a.quick,
            })?;
            write_json(&a.out, &result)?;
            eprint!("{result}");
            println!("wrote {}", a.out.display());
        }
        Command::Views(args) => super::invariance_views::run(args)?,
    }
    Ok(())
}
