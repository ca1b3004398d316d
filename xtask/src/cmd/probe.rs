//! `cargo xtask probe`: a probe (logistic regression or ridge), DINO's kNN or ssl-transfer's
//! few-shot episodes on saved features (`sslinv_heads::FeatureFile`).

use crate::write_json;
use anyhow::Context;
use sslinv_heads::{
    FeatureFile, FewShotConfig, KnnConfig, Metric, ProbeConfig, Protocol, Task, evaluate,
};
use std::path::PathBuf;

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
/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let test = FeatureFile::read(&args.test)?;
    let protocol = match args.task.as_str() {
        "fewshot" => Protocol::FewShot(FewShotConfig {
            ways: args.ways,
            shots: args.shots,
            queries: args.queries,
            episodes: args.episodes,
            seed: args.seed,
        }),
        "knn" => Protocol::Knn(KnnConfig {
            ks: args.k.clone(),
            temperature: args.temperature,
        }),
        task => {
            let task = if task == "classification" {
                Task::Classification
            } else {
                Task::Regression
            };
            let metric: Metric = match &args.metric {
                Some(m) => m.parse().map_err(anyhow::Error::msg)?,
                None if task == Task::Classification => Metric::Accuracy,
                None => Metric::R2,
            };
            Protocol::Linear(ProbeConfig {
                task,
                metric,
                folds: args.folds,
                grid_shift: args.grid_shift,
                lambda: args.lambda,
                seed: args.seed,
                paper_grid: args.paper_grid,
            })
        }
    };
    let train = match (&args.train, &protocol) {
        (Some(path), _) => FeatureFile::read(path)?,
        // Few-shot episodes draw both support and queries from the test features.
        (None, Protocol::FewShot(_)) => test.clone(),
        (None, _) => anyhow::bail!("--train is required for --task {}", args.task),
    };
    train.same_dim(&test)?;
    // Both files: a bad training file must be named too.
    let files = match &args.train {
        Some(t) => format!("{} / {}", t.display(), args.test.display()),
        None => args.test.display().to_string(),
    };
    let result = evaluate(
        &protocol,
        (&train.x, train.labels()?),
        (&test.x, test.labels()?),
        test.dim,
        None,
    )
    .with_context(|| format!("{} on {files}", args.task))?;
    write_json(&args.out, &result)?;
    println!("{}\n-> {}", result.summary(), args.out.display());
    Ok(())
}
