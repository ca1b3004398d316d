//! `cargo xtask pretrain`: self-supervised pretraining (MoCo v2, SimCLR, BYOL, Barlow Twins), or
//! the supervised baseline on the dataset's class labels.

use std::path::PathBuf;

use anyhow::Context;
use sslinv_datasets::stream::{BadFiles, pretraining_images};
use sslinv_objectives::{Objective, PretrainConfig, pretrain_on, pretrain_supervised};

/// Arguments of `cargo xtask pretrain`.
#[derive(clap::Args)]
pub struct Args {
    /// moco-v2, simclr, byol, barlow, or supervised (cross-entropy on the class labels).
    #[arg(long, default_value = "moco-v2")]
    objective: String,
    /// default, ventral, dorsal, or a comma list of policy steps.
    #[arg(long, default_value = "default")]
    policy: String,
    /// `corrected` (default) or `paper-code`: the policy as `main_moco.py` composes it.
    #[arg(long, default_value = "corrected")]
    protocol: sslinv_augment::Protocol,
    /// resnet18, resnet34, resnet50 or resnet101.
    #[arg(long, default_value = "resnet18")]
    arch: String,
    /// Width multiplier (1 = torchvision, 3 = the paper's 3x, 0.25 = base width 16).
    #[arg(long, default_value_t = 1.0)]
    width_mult: f64,
    /// imagenet (7x7/2 + max-pool) or cifar (3x3/1); default: cifar at 32 px and below.
    #[arg(long)]
    stem: Option<String>,
    /// synth3d (embedded renderer), folder (every image under --root), imagenet
    /// (--root/train/<wnid>/*.JPEG), or a dataset name (cifar10, ...) read from --root; images
    /// are decoded on demand, a few batches ahead of training.
    #[arg(long, default_value = "synth3d")]
    dataset: String,
    /// Data root (folder / dataset) or synth3d cache folder.
    #[arg(long)]
    root: Option<PathBuf>,
    /// synth3d size: demo or quick.
    #[arg(long, default_value = "demo")]
    synth3d: String,
    /// Use at most this many images (first ones in the dataset's order).
    #[arg(long)]
    max_images: Option<usize>,
    /// Side of the training views; default 64 for synth3d, 224 otherwise.
    #[arg(long)]
    image_size: Option<u32>,
    /// Passes over the data.
    #[arg(long, default_value_t = 200)]
    epochs: usize,
    /// Images per step.
    #[arg(long, default_value_t = 256)]
    batch_size: usize,
    /// Base learning rate at batch 256 (default: the objective's published value).
    #[arg(long)]
    lr: Option<f64>,
    /// MoCo queue size K (default 65536).
    #[arg(long)]
    queue_size: Option<usize>,
    /// MoCo key-encoder momentum m (default 0.999).
    #[arg(long)]
    key_momentum: Option<f64>,
    /// Softmax temperature (MoCo v2, SimCLR).
    #[arg(long)]
    temperature: Option<f64>,
    /// Linear warm-up in epochs (capped at a tenth of the run).
    #[arg(long)]
    warmup_epochs: Option<f64>,
    /// Seed of everything random.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Checkpoint every N steps (0: only at the end).
    #[arg(long, default_value_t = 0)]
    checkpoint_every: u64,
    /// Stop after this many steps in total.
    #[arg(long)]
    max_steps: Option<u64>,
    /// Checkpoint file stem.
    #[arg(long, default_value = "model")]
    name: String,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// Continue from the checkpoint in --out.
    #[arg(long)]
    resume: bool,
    /// cpu or cuda.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// Unreadable images: fail (stop, naming the file) or skip (replace and count them).
    #[arg(long, default_value = "fail")]
    bad_files: BadFiles,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// `mpi`: a rank of a data-parallel MoCo v2 run under mpirun/srun (docs/distributed.md).
    #[arg(long, default_value = "none")]
    distributed: sslinv_objectives::dist::Backend,
    /// MoCo v2 shuffle-BN sub-batches of the global batch (default: batch / 32 within [2, 8]).
    #[arg(long)]
    bn_splits: Option<usize>,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let objective: Objective = args.objective.parse()?;
    let (images, labels) = pretraining_images(
        &args.dataset,
        args.root.as_deref(),
        &args.synth3d,
        args.max_images,
    )
    .with_context(|| format!("opening the {} images", args.dataset))?;
    let image_size = args
        .image_size
        .unwrap_or(if args.dataset == "synth3d" { 64 } else { 224 });
    let policy = sslinv_augment::Policy::parse(&args.policy)?.with_protocol(args.protocol);
    let mut cfg = PretrainConfig::new(objective, &policy.spec(), &args.arch);
    cfg.name = args.name.clone();
    cfg.width_mult = args.width_mult;
    // CIFAR stem for CIFAR-sized views only: at 64 px it keeps 16x the activations (1.95 GB peak).
    let cifar_sized = image_size <= 32;
    let stem = if cifar_sized { "cifar" } else { "imagenet" };
    cfg.stem = args.stem.clone().unwrap_or_else(|| stem.into());
    cfg.image_size = image_size;
    cfg.epochs = args.epochs;
    cfg.batch_size = args.batch_size;
    cfg.seed = args.seed;
    cfg.checkpoint_every = args.checkpoint_every;
    cfg.max_steps = args.max_steps;
    cfg.resume = args.resume;
    cfg.bad_files = args.bad_files;
    cfg.device = crate::device(&args.device)?;
    let h = &mut cfg.hyper;
    h.lr = args.lr.unwrap_or(h.lr);
    h.queue_size = args.queue_size.unwrap_or(h.queue_size);
    h.bn_splits = args.bn_splits.unwrap_or(h.bn_splits);
    h.key_momentum = args.key_momentum.unwrap_or(h.key_momentum);
    h.temperature = args.temperature.unwrap_or(h.temperature);
    h.warmup_epochs = args.warmup_epochs.unwrap_or(h.warmup_epochs);
    eprintln!(
        "pretraining {} / {} on {} images ({}), {} x{} {} stem, {} px, batch {}, {} epochs",
        objective.name(),
        cfg.policy,
        images.len(),
        args.dataset,
        cfg.arch,
        cfg.width_mult,
        cfg.stem,
        cfg.image_size,
        cfg.batch_size,
        cfg.epochs
    );
    let comm = sslinv_objectives::dist::connect(args.distributed)?;
    let (supervised, data) = (objective == Objective::Supervised, &args.dataset);
    anyhow::ensure!(
        !supervised || comm.world() == 1,
        "--distributed: MoCo v2 only"
    );
    let no_labels = || format!("--objective supervised: {data} has no class labels");
    let labels = if supervised {
        Some(labels.with_context(no_labels)?)
    } else {
        None
    };
    let train = || match &labels {
        Some(labels) => pretrain_supervised(&cfg, &*images, labels, &args.out, !args.quiet),
        None => sslinv_objectives::pretrain(&cfg, &*images, &args.out, !args.quiet),
    };
    let run = match (comm.world() > 1, cfg.device.is_cpu()) {
        (true, _) => pretrain_on(&cfg, &*images, &args.out, !args.quiet, &*comm),
        // The training thread and its kernels' threads stay on their cores.
        (false, true) => sslinv_kernels::run_pinned(rayon::current_num_threads(), 0, train)?,
        (false, false) => train(),
    }
    .context("pretraining")?;
    let bad = &run.report.bad_files;
    if bad.skipped > 0 {
        eprintln!(
            "skipped {} unreadable images, e.g. {:?}",
            bad.skipped,
            bad.files.first()
        );
    }
    let last = run.report.history.last();
    println!(
        "wrote {} and {} (step {}, loss {}, accuracy {}, {:.1} img/s)",
        run.paths.weights.display(),
        run.paths.json.display(),
        run.meta.step,
        last.map_or("-".into(), |s| format!("{:.4}", s.loss)),
        last.map_or("-".into(), |s| format!("{:.3}", s.accuracy)),
        run.report.images_per_second
    );
    Ok(())
}
