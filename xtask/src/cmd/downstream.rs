//! `cargo xtask downstream`: features of a (possibly fused) model on a downstream dataset's train
//! and test splits (cached on disk), then the paper's linear probe with the dataset's metric,
//! DINO's kNN or few-shot episodes (`--protocol`). `--dataset folder` reads any ImageFolder.

use std::path::PathBuf;
use std::time::Instant;

use crate::write_json;
use anyhow::{Context, bail};
use candle_core::Device;
use image::RgbImage;
use sslinv_augment::Preprocess;
use sslinv_datasets::synth3d::{Synth3d, Synth3dConfig};
use sslinv_datasets::{Dataset, Split, Targets};
use sslinv_encoders::{FeatureCache, FeatureExtractor, Features, FnSource, ModelSpec};
use sslinv_fusion::{grid_shift_for, probe_task};
use sslinv_heads::{FewShotConfig, KnnConfig, Labels, ProbeConfig, Protocol, evaluate};

/// Arguments of `cargo xtask downstream`.
#[derive(clap::Args)]
pub struct Args {
    /// Model spec; `a+b+c` fuses several encoders (see --fuse; a `mean:a+b` prefix wins).
    #[arg(long)]
    pub model: String,
    /// Dataset name (cifar10, caltech101, flowers102, 300w, celeba, lsp, causal3dident, synth3d),
    /// or `folder`: `--root` holds `train/<class>/*`, `test/<class>/*` and optionally `val/`
    /// (then used instead of k-fold CV to select the probe's lambda).
    #[arg(long)]
    pub dataset: String,
    /// The evaluation: linear (the paper's probe), knn (DINO's weighted kNN, k = 20,
    /// T = 0.07) or fewshot (5-way 5-shot episodes, 15 queries, 600 episodes, from the test
    /// split); and whose reading of the paper: corrected (default) or paper-code (the paper
    /// script's ridge alpha = 1/lambda). Comma-separated, e.g. `linear,paper-code`.
    #[arg(long, value_delimiter = ',', default_value = "linear")]
    pub protocol: Vec<String>,
    /// Dataset root (default for synth3d: data/synth3d); features are cached under
    /// `<root>/.sslinv-features`.
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// How fused members combine: cat, add or mean.
    #[arg(long, default_value = "cat")]
    pub fuse: String,
    #[command(flatten)]
    pub readout: crate::ReadoutArgs,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Seed of the fold shuffle.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Images per forward pass.
    #[arg(long, default_value_t = 64)]
    pub batch_size: usize,
    /// cpu or cuda.
    #[arg(long, default_value = "cpu")]
    pub device: String,
    /// synth3d only: the target (class, landmarks, hue, rotation, or any synth3d target name).
    #[arg(long, default_value = "class")]
    pub task: String,
    /// synth3d only: which generated set (quick or demo).
    #[arg(long, default_value = "demo", value_parser = ["quick", "demo"])]
    pub synth3d_config: String,
    /// Width multiplier of the widest member, for the grid shift (default: read from the specs).
    #[arg(long)]
    pub width_mult: Option<f64>,
    /// Resize the shorter side to this before the centre crop.
    #[arg(long, default_value_t = 224)]
    pub resize: u32,
    /// Centre crop size.
    #[arg(long, default_value_t = 224)]
    pub crop: u32,
    /// Ridge alpha = 1/lambda, as the paper's script.
    #[arg(long)]
    pub paper_grid: bool,
    /// Output JSON.
    #[arg(long)]
    pub out: PathBuf,
}

/// `--protocol` words: the evaluation (linear, knn, fewshot) and the fidelity protocol.
fn split_protocol(words: &[String]) -> anyhow::Result<(&str, sslinv_augment::Protocol)> {
    let (mut evaluation, mut fidelity) = ("linear", sslinv_augment::Protocol::default());
    for w in words.iter().map(|w| w.trim()) {
        match w {
            "linear" | "knn" | "fewshot" => evaluation = w,
            other => {
                fidelity = other.parse().map_err(|e| {
                    anyhow::anyhow!("`--protocol {other}`: {e} (or linear, knn, fewshot)")
                })?
            }
        }
    }
    Ok((evaluation, fidelity))
}

/// One split's images (decoded on demand) and labels.
struct SplitData {
    split: Split,
    len: usize,
    source: Source,
    labels: Labels,
}

enum Source {
    Dataset(Box<dyn Dataset>),
    Memory(Vec<RgbImage>),
}

impl SplitData {
    /// The model's features of this split's images, decoded a batch at a time.
    fn features(
        &self,
        ex: &mut FeatureExtractor,
        id: &str,
        prep: &Preprocess,
    ) -> anyhow::Result<Features> {
        let split = self.split.name();
        Ok(match &self.source {
            Source::Dataset(ds) => {
                let decode = |r: std::ops::Range<usize>| ds.images(&r.collect::<Vec<_>>());
                ex.features(&FnSource::new(self.len, decode), id, split, prep)?
            }
            Source::Memory(images) => ex.features(images, id, split, prep)?,
        })
    }
}

/// A loaded downstream dataset: what identifies its images, where to cache, and both splits.
struct Data {
    id: String,
    cache_root: PathBuf,
    classes: bool,
    train: SplitData,
    test: SplitData,
    /// Validation images appended at the end of `train` (folder datasets with `val/`).
    val_rows: Option<usize>,
}

fn device(name: &str) -> anyhow::Result<Device> {
    match name {
        "cpu" => Ok(Device::Cpu),
        "cuda" => Device::new_cuda(0).context("opening CUDA device 0 (build with --features cuda)"),
        other => bail!("unknown device `{other}` (cpu or cuda)"),
    }
}

fn labels_of(targets: Targets, name: &str) -> anyhow::Result<(Labels, bool)> {
    Ok(match targets {
        Targets::Classes { ids, .. } => (Labels::Classes(ids), true),
        Targets::Values { values, dim } => (Labels::Targets { values, dim }, false),
        Targets::Groups { .. } => bail!("{name} is a view-group dataset; it has no probe targets"),
    })
}

fn open_registry(args: &Args) -> anyhow::Result<Data> {
    let name = sslinv_datasets::canonical(&args.dataset)?;
    let root = args
        .root
        .clone()
        .context("--root is required for registry datasets")?;
    let open = |split| -> anyhow::Result<(SplitData, bool)> {
        let ds = sslinv_datasets::open(name, &root, split)
            .with_context(|| format!("opening {name} {split} under {}", root.display()))?;
        let (labels, classes) = labels_of(ds.targets(), name)?;
        Ok((
            SplitData {
                split,
                len: ds.len(),
                source: Source::Dataset(ds),
                labels,
            },
            classes,
        ))
    };
    let (train, classes) = open(Split::Train)?;
    let (test, _) = open(Split::Test)?;
    let id = format!(
        "{name}@{}",
        root.canonicalize().unwrap_or(root.clone()).display()
    );
    Ok(Data {
        id,
        cache_root: root,
        classes,
        train,
        test,
        val_rows: None,
    })
}

fn open_folder(args: &Args) -> anyhow::Result<Data> {
    let root = args
        .root
        .clone()
        .context("--root is required for --dataset folder")?;
    let ds = sslinv_datasets::open_folder(&root)
        .with_context(|| format!("opening the image folder {}", root.display()))?;
    let (train, val_rows) = ds.train_then_val()?;
    let split = |split, set: sslinv_datasets::ImageSet| {
        let (labels, _) = labels_of(set.targets(), "folder")?;
        anyhow::Ok(SplitData {
            split,
            len: set.len(),
            source: Source::Dataset(Box::new(set)),
            labels,
        })
    };
    Ok(Data {
        id: format!(
            "folder{}@{}",
            if val_rows > 0 { "+val" } else { "" },
            root.canonicalize().unwrap_or(root.clone()).display()
        ),
        cache_root: root,
        classes: true,
        train: split(Split::Train, train)?,
        test: split(Split::Test, ds.test)?,
        val_rows: (val_rows > 0).then_some(val_rows),
    })
}

fn open_synth3d(args: &Args) -> anyhow::Result<Data> {
    let cfg = match args.synth3d_config.as_str() {
        "quick" => Synth3dConfig::quick(),
        _ => Synth3dConfig::demo(),
    };
    let root = args
        .root
        .clone()
        .unwrap_or_else(|| PathBuf::from("data/synth3d"));
    let data = Synth3d::load_or_generate(&cfg, &root)
        .with_context(|| format!("loading or generating synth3d under {}", root.display()))?;
    let classes = args.task == "class";
    let split = |split, samples: Vec<sslinv_datasets::synth3d::Sample>| {
        let labels = if classes {
            Labels::Classes(samples.iter().map(|s| s.class).collect())
        } else {
            let rows = samples
                .iter()
                .map(|s| s.target(&args.task))
                .collect::<Result<Vec<_>, _>>()?;
            let dim = rows.first().map_or(1, Vec::len);
            Labels::Targets {
                values: rows.concat(),
                dim,
            }
        };
        anyhow::Ok(SplitData {
            split,
            len: samples.len(),
            source: Source::Memory(samples.into_iter().map(|s| s.image).collect()),
            labels,
        })
    };
    Ok(Data {
        id: format!("synth3d:{}:{:016x}", args.synth3d_config, cfg.cache_key()),
        cache_root: root,
        classes,
        train: split(Split::Train, data.train)?,
        test: split(Split::Test, data.test)?,
        val_rows: None,
    })
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let spec = args
        .readout
        .apply_to(ModelSpec::parse_with(&args.model, args.fuse.parse()?)?)?;
    let mode = spec.fuse_mode();
    let dev = device(&args.device)?;
    let is_synth = args.dataset.eq_ignore_ascii_case("synth3d");
    let is_folder = args.dataset.eq_ignore_ascii_case("folder");
    let data = if is_synth {
        open_synth3d(&args)?
    } else if is_folder {
        open_folder(&args)?
    } else {
        open_registry(&args)?
    };
    let prep = Preprocess::new(Some(args.resize), Some(args.crop));
    let started = Instant::now();
    // Each member is loaded at most once, and only when a split is not cached.
    let mut ex = FeatureExtractor::new(spec.clone(), dev)
        .with_cache(FeatureCache::under(&data.cache_root))
        .with_batch_size(args.batch_size)
        .with_progress(true);
    let train = data.train.features(&mut ex, &data.id, &prep)?;
    let test = data.test.features(&mut ex, &data.id, &prep)?;
    let feature_seconds = started.elapsed().as_secs_f64();
    let (train_x, test_x, dim) = (train.data, test.data, train.dim);

    let dataset_name = if is_synth {
        "synth3d"
    } else if is_folder {
        "folder"
    } else {
        sslinv_datasets::canonical(&args.dataset)?
    };
    let (evaluation, fidelity) = split_protocol(&args.protocol)?;
    let (task, metric) = probe_task(dataset_name, data.classes);
    let grid_shift = grid_shift_for(&spec, args.width_mult)?;
    let cfg = ProbeConfig {
        task,
        metric,
        folds: args.folds,
        grid_shift,
        lambda: None,
        seed: args.seed,
        paper_grid: args.paper_grid || fidelity.ridge_alpha_is_inverse(),
    };
    let protocol = match evaluation {
        "knn" => Protocol::Knn(KnnConfig::default()),
        "fewshot" => Protocol::FewShot(FewShotConfig {
            seed: args.seed,
            ..Default::default()
        }),
        _ => Protocol::Linear(cfg),
    };
    let result = evaluate(
        &protocol,
        (&train_x, &data.train.labels),
        (&test_x, &data.test.labels),
        dim,
        data.val_rows,
    )
    .with_context(|| {
        format!(
            "{} protocol of `{}` on {dataset_name}",
            protocol.name(),
            args.model
        )
    })?;

    let mut json = serde_json::to_value(&result)?;
    let obj = json
        .as_object_mut()
        .context("probe result is a JSON object")?;
    obj.insert("model".into(), args.model.clone().into());
    obj.insert("dataset".into(), dataset_name.into());
    if is_synth {
        obj.insert("target".into(), args.task.clone().into());
    }
    obj.insert("protocol".into(), protocol.name().into());
    obj.insert("fuse".into(), mode.name().into());
    obj.insert("members".into(), spec.members().len().into());
    obj.insert("grid_shift".into(), grid_shift.into());
    obj.insert("feature_seconds".into(), feature_seconds.into());
    write_json(&args.out, &json)?;
    println!(
        "{} {} {} {}: {} {:.4} (dim {dim}) -> {}",
        args.model,
        mode.name(),
        dataset_name,
        protocol.name(),
        if evaluation == "linear" {
            metric.name()
        } else {
            "accuracy"
        },
        result.test_score(),
        args.out.display()
    );
    Ok(())
}
