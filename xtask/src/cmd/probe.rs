//! `cargo xtask probe`: a probe (logistic regression or ridge), DINO's kNN or ssl-transfer's
//! few-shot episodes on saved features.

use crate::write_json;
use anyhow::{Context, bail};
use safetensors::{Dtype, SafeTensors};
use sslinv_heads::{FewShotConfig, KnnConfig, Labels, Metric, ProbeConfig, Task, probe};
use std::path::{Path, PathBuf};

/// Arguments of `cargo xtask probe`.
#[derive(clap::Args)]
pub struct Args {
    /// Training features (safetensors with `features` N x D f32 and `labels`); not for fewshot.
    #[arg(long)]
    train: Option<PathBuf>,
    /// Test features, same layout.
    #[arg(long)]
    test: PathBuf,
    /// classification (logistic regression on N i64 labels), regression (ridge on N x T f32),
    /// knn (DINO's weighted kNN) or fewshot (ProtoNet episodes drawn from --test).
    #[arg(long, value_parser = ["classification", "regression", "knn", "fewshot"])]
    task: String,
    /// knn: neighbour counts (comma separated; the first gives test_score), e.g. 10,20,100,200.
    #[arg(long, value_delimiter = ',', default_value = "20")]
    k: Vec<usize>,
    /// knn: temperature T of the vote weights exp(similarity / T).
    #[arg(long, default_value_t = sslinv_heads::DEFAULT_TEMPERATURE)]
    temperature: f64,
    /// fewshot: classes per episode.
    #[arg(long, default_value_t = 5)]
    ways: usize,
    /// fewshot: support rows per class.
    #[arg(long, default_value_t = 5)]
    shots: usize,
    /// fewshot: query rows per class.
    #[arg(long, default_value_t = 15)]
    queries: usize,
    /// fewshot: number of episodes.
    #[arg(long, default_value_t = 600)]
    episodes: usize,
    /// accuracy, mean-per-class, r2 or mse (default: accuracy / r2 by task).
    #[arg(long)]
    metric: Option<String>,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5)]
    folds: usize,
    /// Grid shift c of lambda in logspace(-6+2c, 5+2c, 45).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    grid_shift: f64,
    /// Fit this lambda and skip cross-validation.
    #[arg(long)]
    lambda: Option<f64>,
    /// Seed of the fold shuffle (of the episodes for fewshot).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Ridge alpha = 1/lambda, as the paper's script.
    #[arg(long)]
    paper_grid: bool,
    /// Output JSON.
    #[arg(long)]
    out: PathBuf,
}

/// Features (row-major), their dimension and the labels of one file.
struct Split {
    x: Vec<f32>,
    dim: usize,
    labels: Labels,
}

fn le_f32(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// The `features` tensor (N x D f32) of a features file, and D.
pub fn feature_matrix(st: &SafeTensors, path: &Path) -> anyhow::Result<(Vec<f32>, usize)> {
    let f = st
        .tensor("features")
        .with_context(|| format!("{}: no `features` tensor", path.display()))?;
    if f.dtype() != Dtype::F32 || f.shape().len() != 2 {
        bail!(
            "{}: `features` must be N x D f32, found {:?} {:?}",
            path.display(),
            f.dtype(),
            f.shape()
        );
    }
    Ok((le_f32(f.data()), f.shape()[1]))
}

fn read_split(path: &Path) -> anyhow::Result<Split> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let st = SafeTensors::deserialize(&bytes)
        .with_context(|| format!("{} is not a safetensors file", path.display()))?;
    let (x, dim) = feature_matrix(&st, path)?;
    let l = st
        .tensor("labels")
        .with_context(|| format!("{}: no `labels` tensor", path.display()))?;
    let labels = match (l.dtype(), l.shape()) {
        (Dtype::I64, [_]) => Labels::Classes(
            l.data()
                .chunks_exact(8)
                .map(|b| i64::from_le_bytes(b.try_into().expect("8-byte chunk")))
                .collect(),
        ),
        (Dtype::F32, [_]) => Labels::Targets {
            values: le_f32(l.data()),
            dim: 1,
        },
        (Dtype::F32, [_, t]) => Labels::Targets {
            values: le_f32(l.data()),
            dim: *t,
        },
        (dt, shape) => bail!(
            "{}: `labels` must be N i64 classes or N x T f32 targets, found {dt:?} {shape:?}",
            path.display()
        ),
    };
    Ok(Split { x, dim, labels })
}

/// Class ids of a split, or an error naming the file.
fn classes<'a>(split: &'a Split, path: &Path) -> anyhow::Result<&'a [i64]> {
    match &split.labels {
        Labels::Classes(c) => Ok(c),
        Labels::Targets { .. } => bail!("{}: `labels` must be N i64 class ids", path.display()),
    }
}

/// `--task fewshot`: episodes drawn from the test features.
fn run_fewshot(args: &Args) -> anyhow::Result<()> {
    let test = read_split(&args.test)?;
    let cfg = FewShotConfig {
        ways: args.ways,
        shots: args.shots,
        queries: args.queries,
        episodes: args.episodes,
        seed: args.seed,
    };
    let r = sslinv_heads::fewshot(&test.x, classes(&test, &args.test)?, test.dim, &cfg)
        .with_context(|| format!("few-shot episodes on {}", args.test.display()))?;
    write_json(&args.out, &r)?;
    println!(
        "{}-way {}-shot: accuracy {:.4} +- {:.4} over {} episodes ({} classes) -> {}",
        r.ways,
        r.shots,
        r.test_score,
        r.ci95,
        r.episodes,
        r.classes_used,
        args.out.display()
    );
    Ok(())
}

/// `--task knn`: DINO's weighted kNN at every `--k`.
fn run_knn(args: &Args, train_path: &Path) -> anyhow::Result<()> {
    let (train, test) = (read_split(train_path)?, read_split(&args.test)?);
    if train.dim != test.dim {
        bail!(
            "feature dimensions differ: {} in {} but {} in {}",
            train.dim,
            train_path.display(),
            test.dim,
            args.test.display()
        );
    }
    let cfg = KnnConfig {
        ks: args.k.clone(),
        temperature: args.temperature,
    };
    let r = sslinv_heads::knn_classify(
        &train.x,
        classes(&train, train_path)?,
        &test.x,
        classes(&test, &args.test)?,
        train.dim,
        &cfg,
    )
    .with_context(|| format!("kNN on {} / {}", train_path.display(), args.test.display()))?;
    write_json(&args.out, &r)?;
    for s in &r.scores {
        println!("k = {}: top-1 {:.4}, top-5 {:.4}", s.k, s.top1, s.top5);
    }
    println!("-> {}", args.out.display());
    Ok(())
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    if args.task == "fewshot" {
        return run_fewshot(&args);
    }
    let train_path = args
        .train
        .clone()
        .with_context(|| format!("--train is required for --task {}", args.task))?;
    if args.task == "knn" {
        return run_knn(&args, &train_path);
    }
    let task = if args.task == "classification" {
        Task::Classification
    } else {
        Task::Regression
    };
    let metric: Metric = match &args.metric {
        Some(m) => m.parse().map_err(anyhow::Error::msg)?,
        None if task == Task::Classification => Metric::Accuracy,
        None => Metric::R2,
    };
    let train = read_split(&train_path)?;
    let test = read_split(&args.test)?;
    if train.dim != test.dim {
        bail!(
            "feature dimensions differ: {} in {} but {} in {}",
            train.dim,
            train_path.display(),
            test.dim,
            args.test.display()
        );
    }
    let cfg = ProbeConfig {
        task,
        metric,
        folds: args.folds,
        grid_shift: args.grid_shift,
        lambda: args.lambda,
        seed: args.seed,
        paper_grid: args.paper_grid,
    };
    let result = probe(
        &train.x,
        &train.labels,
        &test.x,
        &test.labels,
        train.dim,
        &cfg,
    )
    .with_context(|| {
        format!(
            "probe on {} / {}",
            train_path.display(),
            args.test.display()
        )
    })?;
    write_json(&args.out, &result)?;
    println!(
        "{} {:.4} (lambda {:.3e}, {} train, {} test, dim {}) -> {}",
        metric.name(),
        result.test_score,
        result.lambda,
        result.n_train,
        result.n_test,
        result.dim,
        args.out.display()
    );
    Ok(())
}
