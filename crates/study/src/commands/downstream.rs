//! One model on one downstream dataset: features of its train and test splits (cached under
//! the dataset's root), then the paper's linear probe with the dataset's metric, DINO's kNN or
//! few-shot episodes. `folder` reads any ImageFolder (`train/`, `test/`, optional `val/`).

use std::path::PathBuf;
use std::time::Instant;

use candle_core::Device;
use image::RgbImage;
use sslinv_augment::Preprocess;
use sslinv_datasets::synth3d::{Synth3d, Synth3dConfig};
use sslinv_datasets::{Dataset, Split, Targets};
use sslinv_encoders::{FeatureCache, FeatureExtractor, Features, FnSource, ModelSpec};
use sslinv_fusion::{grid_shift_for, probe_task};
use sslinv_heads::{FewShotConfig, KnnConfig, Labels, ProbeConfig, Protocol, evaluate};

use crate::error::{Result, StudyError};

/// What to evaluate, and how.
#[derive(Debug, Clone)]
pub struct DownstreamJob {
    /// The model as the user wrote it (named in the result).
    pub model: String,
    /// The parsed model (readout and fusion mode applied).
    pub spec: ModelSpec,
    /// A registry dataset name, `synth3d` or `folder`.
    pub dataset: String,
    /// Dataset root (synth3d default: `data/synth3d`); features are cached beneath it.
    pub root: Option<PathBuf>,
    /// Evaluation words: linear | knn | fewshot, and corrected | paper-code.
    pub protocol: Vec<String>,
    /// synth3d only: the target (class or a regression target name).
    pub task: String,
    /// synth3d only: `quick` or `demo`.
    pub synth3d_config: String,
    /// Cross-validation folds.
    pub folds: usize,
    /// Seed of the folds and episodes.
    pub seed: u64,
    /// Images per forward pass.
    pub batch_size: usize,
    /// Where the encoders run.
    pub device: Device,
    /// Width of the widest member, for the grid shift (None: read from the spec).
    pub width_mult: Option<f64>,
    /// Resize of the shorter side.
    pub resize: u32,
    /// Centre crop.
    pub crop: u32,
    /// Ridge alpha = 1/lambda, as the paper's script.
    pub paper_grid: bool,
}

/// The result JSON and a one-line summary of it.
#[derive(Debug, Clone)]
pub struct DownstreamOutcome {
    /// The probe result with the job's description added.
    pub json: serde_json::Value,
    /// One line: model, fusion, dataset, protocol, metric and score.
    pub summary: String,
}

/// The evaluation (linear, knn, fewshot) and the fidelity protocol the words name.
fn split_protocol(words: &[String]) -> Result<(&str, sslinv_augment::Protocol)> {
    let (mut evaluation, mut fidelity) = ("linear", sslinv_augment::Protocol::default());
    for w in words.iter().map(|w| w.trim()) {
        match w {
            "linear" | "knn" | "fewshot" => evaluation = w,
            other => {
                fidelity = other.parse().map_err(|e| {
                    StudyError::Invalid(format!(
                        "`--protocol {other}`: {e} (or linear, knn, fewshot)"
                    ))
                })?
            }
        }
    }
    Ok((evaluation, fidelity))
}

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
    fn features(&self, ex: &mut FeatureExtractor, id: &str, prep: &Preprocess) -> Result<Features> {
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

struct Data {
    id: String,
    cache_root: PathBuf,
    classes: bool,
    train: SplitData,
    test: SplitData,
    val_rows: Option<usize>,
}

fn labels_of(targets: Targets, name: &str) -> Result<(Labels, bool)> {
    Ok(match targets {
        Targets::Classes { ids, .. } => (Labels::Classes(ids), true),
        Targets::Values { values, dim } => (Labels::Targets { values, dim }, false),
        Targets::Groups { .. } => {
            return Err(StudyError::Invalid(format!(
                "{name} is a view-group dataset; it has no probe targets"
            )));
        }
    })
}

fn required_root(job: &DownstreamJob, what: &str) -> Result<PathBuf> {
    job.root
        .clone()
        .ok_or_else(|| StudyError::Invalid(format!("--root is required for {what}")))
}

fn canonical_id(prefix: &str, root: &std::path::Path) -> String {
    let root = root.canonicalize().unwrap_or(root.to_path_buf());
    format!("{prefix}@{}", root.display())
}

fn open_registry(job: &DownstreamJob) -> Result<Data> {
    let name = sslinv_datasets::canonical(&job.dataset)?;
    let root = required_root(job, "registry datasets")?;
    let open = |split| -> Result<(SplitData, bool)> {
        let ds = sslinv_datasets::open(name, &root, split).map_err(StudyError::context(
            format!("opening {name} {split} under {}", root.display()),
        ))?;
        let (labels, classes) = labels_of(ds.targets(), name)?;
        let len = ds.len();
        let source = Source::Dataset(ds);
        Ok((
            SplitData {
                split,
                len,
                source,
                labels,
            },
            classes,
        ))
    };
    let (train, classes) = open(Split::Train)?;
    let (test, _) = open(Split::Test)?;
    Ok(Data {
        id: canonical_id(name, &root),
        cache_root: root,
        classes,
        train,
        test,
        val_rows: None,
    })
}

fn open_folder(job: &DownstreamJob) -> Result<Data> {
    let root = required_root(job, "--dataset folder")?;
    let ds = sslinv_datasets::open_folder(&root).map_err(StudyError::context(format!(
        "opening the image folder {}",
        root.display()
    )))?;
    let (train, val_rows) = ds.train_then_val()?;
    let split = |split, set: sslinv_datasets::ImageSet| {
        let (labels, _) = labels_of(set.targets(), "folder")?;
        Ok::<_, StudyError>(SplitData {
            split,
            len: set.len(),
            source: Source::Dataset(Box::new(set)),
            labels,
        })
    };
    let prefix = if val_rows > 0 { "folder+val" } else { "folder" };
    Ok(Data {
        id: canonical_id(prefix, &root),
        cache_root: root,
        classes: true,
        train: split(Split::Train, train)?,
        test: split(Split::Test, ds.test)?,
        val_rows: (val_rows > 0).then_some(val_rows),
    })
}

fn open_synth3d(job: &DownstreamJob) -> Result<Data> {
    let cfg = match job.synth3d_config.as_str() {
        "quick" => Synth3dConfig::quick(),
        _ => Synth3dConfig::demo(),
    };
    let root = job
        .root
        .clone()
        .unwrap_or_else(|| PathBuf::from("data/synth3d"));
    let data = Synth3d::load_or_generate(&cfg, &root).map_err(StudyError::context(format!(
        "loading or generating synth3d under {}",
        root.display()
    )))?;
    let classes = job.task == "class";
    let split = |split, samples: Vec<sslinv_datasets::synth3d::Sample>| {
        let labels = if classes {
            Labels::Classes(samples.iter().map(|s| s.class).collect())
        } else {
            let rows = samples
                .iter()
                .map(|s| s.target(&job.task))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let dim = rows.first().map_or(1, Vec::len);
            Labels::Targets {
                values: rows.concat(),
                dim,
            }
        };
        Ok::<_, StudyError>(SplitData {
            split,
            len: samples.len(),
            source: Source::Memory(samples.into_iter().map(|s| s.image).collect()),
            labels,
        })
    };
    Ok(Data {
        id: format!("synth3d:{}:{:016x}", job.synth3d_config, cfg.cache_key()),
        cache_root: root,
        classes,
        train: split(Split::Train, data.train)?,
        test: split(Split::Test, data.test)?,
        val_rows: None,
    })
}

/// Features of the job's model on both splits (each member loaded at most once, and only when
/// a split is not cached), then the chosen probe on them.
pub fn run_downstream(job: &DownstreamJob) -> Result<DownstreamOutcome> {
    let dataset_name = match job.dataset.to_ascii_lowercase().as_str() {
        "synth3d" => "synth3d",
        "folder" => "folder",
        _ => sslinv_datasets::canonical(&job.dataset)?,
    };
    let (evaluation, fidelity) = split_protocol(&job.protocol)?;
    let data = match dataset_name {
        "synth3d" => open_synth3d(job)?,
        "folder" => open_folder(job)?,
        _ => open_registry(job)?,
    };
    let prep = sslinv_encoders::eval_preprocess(&job.spec, Some(job.resize), Some(job.crop))?;
    let started = Instant::now();
    let mut ex = FeatureExtractor::new(job.spec.clone(), job.device.clone())
        .with_cache(FeatureCache::under(&data.cache_root))
        .with_batch_size(job.batch_size)
        .with_progress(true);
    let train = data.train.features(&mut ex, &data.id, &prep)?;
    let test = data.test.features(&mut ex, &data.id, &prep)?;
    let feature_seconds = started.elapsed().as_secs_f64();
    let dim = train.dim;

    let (task, metric) = probe_task(dataset_name, data.classes);
    let grid_shift = grid_shift_for(&job.spec, job.width_mult)?;
    let protocol = match evaluation {
        "knn" => Protocol::Knn(KnnConfig::default()),
        "fewshot" => Protocol::FewShot(FewShotConfig {
            seed: job.seed,
            ..Default::default()
        }),
        _ => Protocol::Linear(ProbeConfig {
            task,
            metric,
            folds: job.folds,
            grid_shift,
            lambda: None,
            seed: job.seed,
            paper_grid: job.paper_grid || fidelity.ridge_alpha_is_inverse(),
        }),
    };
    let result = evaluate(
        &protocol,
        (&train.data, &data.train.labels),
        (&test.data, &data.test.labels),
        dim,
        data.val_rows,
    )
    .map_err(StudyError::context(format!(
        "{} protocol of `{}` on {dataset_name}",
        protocol.name(),
        job.model
    )))?;

    let mode = job.spec.fuse_mode();
    let mut json = serde_json::to_value(&result)
        .map_err(|e| StudyError::Invalid(format!("serialising the probe result: {e}")))?;
    if let Some(obj) = json.as_object_mut() {
        obj.insert("model".into(), job.model.clone().into());
        obj.insert("dataset".into(), dataset_name.into());
        if dataset_name == "synth3d" {
            obj.insert("target".into(), job.task.clone().into());
        }
        obj.insert("protocol".into(), protocol.name().into());
        obj.insert("fuse".into(), mode.name().into());
        obj.insert("members".into(), job.spec.members().len().into());
        obj.insert("grid_shift".into(), grid_shift.into());
        obj.insert("feature_seconds".into(), feature_seconds.into());
    }
    let measure = if evaluation == "linear" {
        metric.name()
    } else {
        "accuracy"
    };
    let summary = format!(
        "{} {} {dataset_name} {}: {measure} {:.4} (dim {dim})",
        job.model,
        mode.name(),
        protocol.name(),
        result.test_score(),
    );
    Ok(DownstreamOutcome { json, summary })
}
