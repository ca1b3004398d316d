//! `cargo xtask probe`: a probe (logistic regression or ridge) on saved features.

use anyhow::{Context, bail};
use safetensors::{Dtype, SafeTensors};
use sslinv_heads::{Labels, Metric, ProbeConfig, Task, probe};
use std::path::{Path, PathBuf};

/// Arguments of `cargo xtask probe`.
#[derive(clap::Args)]
pub struct Args {
    /// Training features (safetensors with `features` N x D f32 and `labels`).
    #[arg(long)]
    train: PathBuf,
    /// Test features, same layout.
    #[arg(long)]
    test: PathBuf,
    /// classification (logistic regression on N i64 labels) or regression (ridge on N x T f32).
    #[arg(long, value_parser = ["classification", "regression"])]
    task: String,
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
    /// Seed of the fold shuffle.
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

fn read_split(path: &Path) -> anyhow::Result<Split> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let st = SafeTensors::deserialize(&bytes)
        .with_context(|| format!("{} is not a safetensors file", path.display()))?;
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
    let dim = f.shape()[1];
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
    Ok(Split {
        x: le_f32(f.data()),
        dim,
        labels,
    })
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
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
    let train = read_split(&args.train)?;
    let test = read_split(&args.test)?;
    if train.dim != test.dim {
        bail!(
            "feature dimensions differ: {} in {} but {} in {}",
            train.dim,
            args.train.display(),
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
            args.train.display(),
            args.test.display()
        )
    })?;
    let json = serde_json::to_string_pretty(&result)?;
    let tmp = args.out.with_extension("json.tmp");
    std::fs::write(&tmp, json.as_bytes()).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &args.out).with_context(|| format!("writing {}", args.out.display()))?;
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
