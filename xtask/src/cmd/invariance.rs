//! `cargo xtask invariance synthetic|multiview`: the paper's synthetic and real-world
//! invariance of an encoder, with feature statistics cached per model.
//! (Over 400 lines: three subcommands' arguments and the statistics cache; moving the cache and
//! image listing into sslinv-invariance is the open part of the study-engine issue.)

use std::path::{Path, PathBuf};

use crate::write_json;
use anyhow::{Context, bail};
use candle_core::Device;
use image::RgbImage;
use rayon::prelude::*;
use serde::Serialize;
use sslinv_augment::{Preprocess, Protocol, Sweep, Transform};
use sslinv_invariance::synthetic::{SyntheticOptions, SyntheticResult};
use sslinv_invariance::{
    EncoderFeatures, FeatureStats, StatsAccumulator, StatsCache, batched_features, hash_file,
    stats_key,
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
    #[arg(long, default_value_t = 64)]
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
    #[arg(long)]
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

/// Runs the subcommand.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Synthetic(mut args) => {
            args.common.model = args.common.readout.apply(&args.common.model)?;
            synthetic(args)
        }
        Command::Multiview(mut args) => {
            args.common.model = args.common.readout.apply(&args.common.model)?;
            multiview(args)
        }
        Command::Extrinsic(mut args) => {
            args.common.model = args.common.readout.apply(&args.common.model)?;
            extrinsic(args)
        }
        Command::Views(args) => super::invariance_views::run(args),
    }
}

fn device(name: &str) -> anyhow::Result<Device> {
    match name {
        "cpu" => Ok(Device::Cpu),
        "cuda" => Device::new_cuda(0).context("opening CUDA device 0 (build with --features cuda)"),
        other => bail!("unknown device `{other}` (cpu or cuda)"),
    }
}

/// Image files under `dir`, recursively, sorted by path.
fn list_images(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    if out.is_empty() {
        bail!("no .png/.jpg images under {}", dir.display());
    }
    Ok(out)
}

fn load_images(paths: &[PathBuf]) -> anyhow::Result<Vec<RgbImage>> {
    paths
        .par_iter()
        .map(|p| {
            Ok(image::open(p)
                .with_context(|| format!("decoding {}", p.display()))?
                .to_rgb8())
        })
        .collect()
}

/// The model's identity for the statistics cache: the weights' hash where the spec names
/// files, else the (deterministic) spec itself.
fn model_id(spec: &str) -> anyhow::Result<String> {
    let mut id = spec.to_string();
    for part in spec.split(['+', ':']) {
        let p = Path::new(part);
        if p.is_file() {
            id.push_str(&format!("|{}", hash_file(p)?));
        }
    }
    Ok(id)
}

fn cache_dir(common: &Common) -> PathBuf {
    common.cache.clone().unwrap_or_else(|| {
        std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(".cache/sslinv/stats"))
            .unwrap_or_else(|| PathBuf::from(".sslinv-cache/stats"))
    })
}

fn prep_id(prep: &Preprocess) -> String {
    format!(
        "resize{:?}-crop{:?}-mean{:?}-std{:?}",
        prep.resize, prep.crop, prep.mean, prep.std
    )
}

/// Statistics of the images at `paths`, streamed in batches, cached per model, image list and
/// preprocessing.
fn cached_stats(
    common: &Common,
    encoder: &dyn sslinv_encoders::Encoder,
    dev: &Device,
    paths: &[PathBuf],
    prep: &Preprocess,
) -> anyhow::Result<FeatureStats> {
    let ids: Vec<String> = paths
        .iter()
        .map(|p| {
            let len = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            format!("{}#{len}", p.display())
        })
        .collect();
    let key = stats_key(&model_id(&common.model)?, &ids, &prep_id(prep));
    let cache = StatsCache::new(cache_dir(common));
    let stats = cache.get_or_compute(&key, || {
        eprintln!("computing feature statistics of {} images", paths.len());
        let mut f = EncoderFeatures::new(encoder, prep, dev);
        let mut acc = StatsAccumulator::new(
            encoder.dim(),
            format!("{} on the statistics images", common.model),
        );
        for chunk in paths.chunks(common.batch_size.max(1)) {
            let imgs = load_images(chunk)
                .map_err(|e| sslinv_invariance::InvarianceError::callback("loading images", e))?;
            let prepared: Vec<RgbImage> = imgs.par_iter().map(|im| prep.image(im)).collect();
            let rows = batched_features(&mut f, &prepared, common.batch_size, &common.model)?;
            acc.push(&rows, prepared.len())?;
        }
        acc.finish()
    })?;
    if stats.shrinkage > 0.0 || stats.ridge > 0.0 {
        eprintln!(
            "covariance of {} rows x {} dims regularised: shrinkage {:.4}, ridge {:.3e}",
            stats.count, stats.dim, stats.shrinkage, stats.ridge
        );
    }
    Ok(stats)
}

/// One line per transform in the `all` summary.
#[derive(Serialize)]
struct SummaryRow {
    transform: String,
    mean_similarity: f64,
    mean_distance: f64,
    equivariance_r2: Option<f64>,
    file: PathBuf,
}

/// The `all` summary file.
#[derive(Serialize)]
struct Summary {
    model: String,
    n_images: usize,
    transforms: Vec<SummaryRow>,
    seconds: f64,
}

fn synthetic(args: SyntheticArgs) -> anyhow::Result<()> {
    let start = std::time::Instant::now();
    let transforms: Vec<Transform> = if args.transform == "all" {
        Transform::all().to_vec()
    } else {
        vec![args.transform.parse().map_err(|e| anyhow::anyhow!("{e}"))?]
    };
    let dev = device(&args.common.device)?;
    let encoder = sslinv_encoders::load_encoder(&args.common.model, &dev)
        .with_context(|| format!("loading model `{}`", args.common.model))?;
    let prep = Preprocess::new(Some(args.resize), Some(args.crop));
    let stats_paths = list_images(args.stats_images.as_deref().unwrap_or(&args.images))?;
    let stats = cached_stats(&args.common, encoder.as_ref(), &dev, &stats_paths, &prep)?;

    let all = list_images(&args.images)?;
    let draw =
        sslinv_invariance::draw_images_for(args.protocol, all.len(), args.num_images, args.seed);
    let paths: Vec<PathBuf> = draw
        .with_context(|| format!("--num-images over {}", args.images.display()))?
        .into_iter()
        .map(|i| all[i].clone())
        .collect();
    let images = load_images(&paths)?;
    let opts = SyntheticOptions {
        prep,
        batch: None,
        equivariance_rows: 4096,
        seed: args.seed,
    };
    let mut rows = Vec::new();
    for t in &transforms {
        let sweep = Sweep::with_protocol(*t, args.k, args.protocol);
        let res: SyntheticResult = sslinv_invariance::synthetic::run(
            encoder.as_ref(),
            &images,
            &sweep,
            &stats,
            &opts,
            &dev,
            &args.common.model,
        )
        .with_context(|| format!("measuring {}", t.name()))?;
        let file = if transforms.len() == 1 {
            args.out.clone()
        } else {
            let stem = args
                .out
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("invariance");
            args.out.with_file_name(format!("{stem}_{}.json", t.name()))
        };
        write_json(&file, &res)?;
        eprintln!(
            "{:>13}: similarity {:.4}, distance {:.3} ({} images, {:.1} s)",
            t.name(),
            res.mean_similarity,
            res.mean_distance,
            res.n_images,
            res.seconds
        );
        rows.push(SummaryRow {
            transform: res.transform.clone(),
            mean_similarity: res.mean_similarity,
            mean_distance: res.mean_distance,
            equivariance_r2: res.equivariance.as_ref().map(|e| e.r2),
            file,
        });
    }
    if transforms.len() > 1 {
        let summary = Summary {
            model: args.common.model.clone(),
            n_images: images.len(),
            transforms: rows,
            seconds: start.elapsed().as_secs_f64(),
        };
        write_json(&args.out, &summary)?;
    }
    println!("wrote {}", args.out.display());
    Ok(())
}

fn multiview(args: MultiviewArgs) -> anyhow::Result<()> {
    let dev = device(&args.common.device)?;
    let encoder = sslinv_encoders::load_encoder(&args.common.model, &dev)
        .with_context(|| format!("loading model `{}`", args.common.model))?;
    let stats_prep = Preprocess::stats256();
    let view_prep = Preprocess::eval224();
    let batch = args.common.batch_size;
    let model = args.common.model.clone();
    let result = if let Some(kind) = args.dataset.strip_prefix("synth3d-") {
        use sslinv_datasets::synth3d::{GroupKind, Synth3d, Synth3dConfig};
        let kind = GroupKind::ALL
            .into_iter()
            .find(|k| k.name() == kind)
            .with_context(|| {
                format!(
                    "unknown synth3d group kind `{kind}` (viewpoint, illumination, temperature)"
                )
            })?;
        let data = Synth3d::load_or_generate(
            &if args.quick {
                Synth3dConfig::quick()
            } else {
                Synth3dConfig::demo()
            },
            &args.root,
        )
        .with_context(|| format!("synth3d under {}", args.root.display()))?;
        let groups = data.groups(kind);
        // synth3d images are small: statistics and views keep their native size.
        let native = Preprocess::new(None, None);
        let stats = match &args.stats_images {
            Some(dir) => cached_stats(
                &args.common,
                encoder.as_ref(),
                &dev,
                &list_images(dir)?,
                &native,
            )?,
            None => sslinv_invariance::synthetic::stats(
                encoder.as_ref(),
                &data.pretrain,
                &native,
                batch,
                &dev,
                &model,
            )?,
        };
        sslinv_invariance::multiview::run(
            encoder.as_ref(),
            groups,
            &stats,
            &native,
            batch,
            &dev,
            &args.dataset,
            &model,
        )?
    } else {
        let views = sslinv_datasets::open_views(&args.dataset, &args.root)
            .with_context(|| format!("opening {} under {}", args.dataset, args.root.display()))?;
        let stats_paths = match &args.stats_images {
            Some(dir) => list_images(dir)?,
            None => views
                .groups
                .iter()
                .flat_map(|g| g.paths.iter().cloned())
                .collect(),
        };
        let stats = cached_stats(
            &args.common,
            encoder.as_ref(),
            &dev,
            &stats_paths,
            &stats_prep,
        )?;
        let mut f = EncoderFeatures::new(encoder.as_ref(), &view_prep, &dev);
        sslinv_invariance::multiview::run_with(
            &mut f,
            views.len(),
            |g| {
                views.load_group(g).map_err(|e| {
                    sslinv_invariance::InvarianceError::callback(format!("loading group {g}"), e)
                })
            },
            &stats,
            &view_prep,
            batch,
            &args.dataset,
            &model,
        )?
    };
    write_json(&args.out, &result)?;
    eprintln!(
        "{}: similarity {:.4}, distance {:.3} over {} groups",
        args.dataset, result.scores.similarity, result.scores.distance, result.scores.n_groups
    );
    println!("wrote {}", args.out.display());
    Ok(())
}

/// Features and row-major targets of a drawn subset of a dataset split, in chunks.
fn split_features(
    f: &mut EncoderFeatures<'_>,
    set: &dyn sslinv_datasets::Dataset,
    max: usize,
    seed: u64,
    prep: &Preprocess,
    batch: usize,
    model: &str,
) -> anyhow::Result<(Vec<f32>, Vec<f32>, usize)> {
    let n = set.len().min(max);
    let idx = sslinv_invariance::draw_images(set.len(), (n < set.len()).then_some(n), seed)?;
    let sslinv_datasets::Targets::Values { values, dim: t } = set.targets() else {
        bail!("{} has no regression targets", set.name());
    };
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for chunk in idx.chunks(batch.max(1)) {
        let imgs = set
            .images(chunk)
            .with_context(|| format!("decoding {} images", set.name()))?;
        let prepared: Vec<RgbImage> = imgs.par_iter().map(|im| prep.image(im)).collect();
        x.extend(batched_features(f, &prepared, batch, model)?);
        for &i in chunk {
            y.extend_from_slice(&values[i * t..(i + 1) * t]);
        }
    }
    Ok((x, y, t))
}

fn extrinsic(args: ExtrinsicArgs) -> anyhow::Result<()> {
    use sslinv_invariance::extrinsic::{ExtrinsicResult, score_features, select_latents};
    let start = std::time::Instant::now();
    let dev = device(&args.common.device)?;
    let encoder = sslinv_encoders::load_encoder(&args.common.model, &dev)
        .with_context(|| format!("loading model `{}`", args.common.model))?;
    let prep = Preprocess::eval224();
    let batch = args.common.batch_size;
    let model = args.common.model.clone();
    let result = match args.dataset.as_str() {
        "synth3d" => {
            use sslinv_datasets::synth3d::{Latents, Synth3d, Synth3dConfig};
            let data = Synth3d::load_or_generate(
                &if args.quick {
                    Synth3dConfig::quick()
                } else {
                    Synth3dConfig::demo()
                },
                &args.root,
            )
            .with_context(|| format!("synth3d under {}", args.root.display()))?;
            let names: Vec<String> = Latents::NAMES.iter().map(|s| s.to_string()).collect();
            let split = |s: &[sslinv_datasets::synth3d::Sample],
                         max: usize|
             -> anyhow::Result<(Vec<RgbImage>, Vec<f32>)> {
                let idx = sslinv_invariance::draw_images(
                    s.len(),
                    (max < s.len()).then_some(max),
                    args.seed,
                )?;
                Ok((
                    idx.iter().map(|&i| s[i].image.clone()).collect(),
                    idx.iter().flat_map(|&i| s[i].latents.to_vec()).collect(),
                ))
            };
            let (tr, tr_y) = split(&data.train, args.max_train)?;
            let (te, te_y) = split(&data.test, args.max_test)?;
            // synth3d images are small: keep their size instead of the 224 eval geometry.
            let prep = Preprocess::new(None, None);
            sslinv_invariance::extrinsic::run(
                encoder.as_ref(),
                (&tr, &tr_y),
                (&te, &te_y),
                &names,
                &args.target,
                &prep,
                batch,
                args.seed,
                &dev,
                "synth3d",
                &model,
            )?
        }
        "causal3dident" => {
            use sslinv_datasets::{Split, open};
            let train = open("causal3dident", &args.root, Split::Train)
                .with_context(|| format!("causal3dident under {}", args.root.display()))?;
            let test = open("causal3dident", &args.root, Split::Test)
                .with_context(|| format!("causal3dident under {}", args.root.display()))?;
            let mut f = EncoderFeatures::new(encoder.as_ref(), &prep, &dev);
            let (train_x, train_y, t) = split_features(
                &mut f,
                train.as_ref(),
                args.max_train,
                args.seed,
                &prep,
                batch,
                &model,
            )?;
            let (test_x, test_y, _) = split_features(
                &mut f,
                test.as_ref(),
                args.max_test,
                args.seed,
                &prep,
                batch,
                &model,
            )?;
            let names: Vec<String> = (0..t).map(|i| i.to_string()).collect();
            let cols = select_latents(&args.target, &names)?;
            let dim = encoder.dim();
            let latents = score_features(
                &train_x, &train_y, &test_x, &test_y, dim, &names, &cols, args.seed,
            )?;
            ExtrinsicResult {
                dataset: "causal3dident".into(),
                model: model.clone(),
                target: args.target.clone(),
                r2: latents.iter().map(|l| l.r2).sum::<f64>() / latents.len().max(1) as f64,
                latents,
                n_train: train_x.len() / dim,
                n_test: test_x.len() / dim,
                dim,
                seconds: start.elapsed().as_secs_f64(),
            }
        }
        other => bail!("extrinsic invariance needs causal3dident or synth3d, not `{other}`"),
    };
    write_json(&args.out, &result)?;
    for l in &result.latents {
        eprintln!(
            "{:>20}: R^2 {:.4} (alpha {:.0e}, gamma {:.0e})",
            l.latent, l.r2, l.alpha, l.gamma
        );
    }
    println!("wrote {}", args.out.display());
    Ok(())
}
