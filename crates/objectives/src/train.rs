//! The pretraining loop: prefetching views, SGD with the cosine schedule, progress, checkpoints
//! and exact resume.

use std::path::Path;
use std::time::Instant;

use crate::progress::step_bar;
use candle_core::Tensor;
use serde::{Deserialize, Serialize};
use sslinv_datasets::stream::{BadFileLog, StreamSource};

use crate::backbone::Backbone;
use crate::checkpoint::{
    CHECKPOINT_FORMAT, CheckpointMeta, CheckpointPaths, read_meta, read_tensors, write_meta,
    write_tensors,
};
use crate::config::{Objective, PretrainConfig};
use crate::data::view_loader;
use crate::dist::{
    Communicator, SingleProcess, average_gradients, average_scalars, broadcast_vars,
};
use crate::learner::{Learner, scalar};
use crate::optim::{Sgd, scaled_lr, warmup_cosine_lr};
use crate::{ObjectivesError, Result};

/// One optimiser step's numbers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StepLog {
    /// Step index (0-based).
    pub step: u64,
    /// Loss.
    pub loss: f32,
    /// Contrastive accuracy (top-1 of the positive among the candidates).
    pub accuracy: f32,
    /// Learning rate used.
    pub lr: f64,
}

/// What a run did.
#[derive(Clone, Debug, Serialize)]
pub struct TrainReport {
    /// The step the run started from (non-zero after a resume).
    pub start_step: u64,
    /// Every step of this run.
    pub history: Vec<StepLog>,
    /// Source images per second (each gives two views), data loading included.
    pub images_per_second: f64,
    /// Wall time of the loop.
    pub seconds: f64,
    /// Unreadable images replaced under `BadFiles::Skip` (empty under `Fail`, which stops).
    pub bad_files: BadFileLog,
}

/// A finished (or stopped) run: the online backbone, its checkpoint and the log.
pub struct Trained<B> {
    /// The trained online backbone (MoCo's query encoder, BYOL's online network).
    pub backbone: B,
    /// The checkpoint's metadata as written.
    pub meta: CheckpointMeta,
    /// Where the checkpoint lies.
    pub paths: CheckpointPaths,
    /// Steps, throughput.
    pub report: TrainReport,
}

/// Steps a card's loss and accuracy average over.
pub const RECENT_STEPS: usize = 10;

/// The last [`RECENT_STEPS`] logs of `carried` (a resumed card's) followed by `h`.
pub fn recent_steps(carried: &[StepLog], h: &[StepLog]) -> Vec<StepLog> {
    let all: Vec<&StepLog> = carried.iter().chain(h).collect();
    all[all.len().saturating_sub(RECENT_STEPS)..]
        .iter()
        .map(|s| (*s).clone())
        .collect()
}

/// The mean of `f` over `tail`.
pub fn mean_of(tail: &[StepLog], f: impl Fn(&StepLog) -> f32) -> Option<f32> {
    (!tail.is_empty()).then(|| tail.iter().map(&f).sum::<f32>() / tail.len() as f32)
}

fn check_same(
    meta: &CheckpointMeta,
    cfg: &PretrainConfig,
    n_images: usize,
    json: &Path,
) -> Result<()> {
    let old = &meta.config;
    let diffs = [
        ("number of images", meta.n_images != n_images),
        ("objective", old.objective != cfg.objective),
        ("policy", old.policy != cfg.policy),
        ("arch", old.arch != cfg.arch),
        ("width_mult", old.width_mult != cfg.width_mult),
        ("stem", old.stem != cfg.stem),
        ("image_size", old.image_size != cfg.image_size),
        ("epochs", old.epochs != cfg.epochs),
        ("batch_size", old.batch_size != cfg.batch_size),
        ("seed", old.seed != cfg.seed),
        ("hyper-parameters", old.hyper != cfg.hyper),
    ];
    if let Some((field, _)) = diffs.iter().find(|(_, d)| *d) {
        return Err(ObjectivesError::Checkpoint {
            path: json.into(),
            msg: format!("cannot resume: `{field}` differs from this run's"),
        });
    }
    Ok(())
}

struct Saver<'a> {
    cfg: &'a PretrainConfig,
    paths: &'a CheckpointPaths,
    total: u64,
    steps_per_epoch: u64,
    n_images: usize,
    /// The resumed card's recent steps, so a resumed run reports what an uninterrupted one does.
    carried: Vec<StepLog>,
    /// Only rank 0 writes (the other ranks hold the same state).
    writes: bool,
    /// The shuffle-BN layout, for the card.
    shuffle_bn: String,
}

impl Saver<'_> {
    fn save<B: Backbone>(
        &self,
        learner: &Learner<B>,
        opt: &Sgd,
        names: &[String],
        step: u64,
        h: &[StepLog],
    ) -> Result<CheckpointMeta> {
        let dev = &self.cfg.device;
        if self.writes {
            let mut state = learner.state();
            for (name, buf) in names.iter().zip(opt.buffers()) {
                if let Some(b) = buf {
                    state.push((format!("opt.{name}"), b.clone()));
                }
            }
            state.push(("meta.step".into(), Tensor::new(&[step as i64], dev)?));
            write_tensors(&self.paths.state, state)?;
            let weights = learner
                .backbone
                .named_vars()
                .into_iter()
                .map(|(n, v)| (n, v.as_tensor().clone()))
                .collect();
            write_tensors(&self.paths.weights, weights)?;
        }
        let file = |p: &Path| {
            p.file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let recent = recent_steps(&self.carried, h);
        let meta = CheckpointMeta {
            format: CHECKPOINT_FORMAT,
            arch: self.cfg.arch.clone(),
            width_mult: self.cfg.width_mult,
            stem: self.cfg.stem.clone(),
            dim: learner.backbone.dim(),
            policy: self.cfg.policy.clone(),
            objective: self.cfg.objective,
            epoch: step as f64 / self.steps_per_epoch as f64,
            step,
            total_steps: self.total,
            seed: self.cfg.seed,
            n_images: self.n_images,
            config: self.cfg.clone(),
            projector: learner.projector_spec().clone(),
            predictor: learner.predictor_spec().cloned(),
            queue_ptr: learner.queue_ptr(),
            shuffle_bn: (self.cfg.objective == Objective::MocoV2).then(|| self.shuffle_bn.clone()),
            loss: mean_of(&recent, |s| s.loss),
            accuracy: mean_of(&recent, |s| s.accuracy),
            recent,
            weights: file(&self.paths.weights),
            state: file(&self.paths.state),
        };
        if self.writes {
            write_meta(&self.paths.json, &meta)?;
        }
        Ok(meta)
    }
}

/// Pretrains a backbone made by `build(seed)` on `images` (streamed: decoded and augmented on
/// worker threads a few batches ahead, see `sslinv_datasets::stream`) and writes its checkpoint into
/// `out_dir`; with `resume` it continues from the checkpoint there (same optimiser and queue
/// state: on CPU the result equals an uninterrupted run).
pub fn pretrain_with<B: Backbone, S: StreamSource + ?Sized>(
    cfg: &PretrainConfig,
    images: &S,
    out_dir: &Path,
    progress: bool,
    resume: bool,
    build: &dyn Fn(u64) -> Result<B>,
) -> Result<Trained<B>> {
    pretrain_in(
        cfg,
        images,
        out_dir,
        progress,
        resume,
        build,
        &SingleProcess,
    )
}

/// [`pretrain_with`] as one rank of a data-parallel run over `comm` (`cfg.batch_size` is the
/// global batch): this rank loads its shard of each batch, MoCo v2 shuffles keys across ranks,
/// gradients are averaged before the step, rank 0 writes the checkpoints. With W ranks it
/// computes what one process computes with `bn_splits = W` x the per-rank splits, up to the
/// order of float sums; with [`SingleProcess`] it is [`pretrain_with`].
pub fn pretrain_in<B: Backbone, S: StreamSource + ?Sized>(
    cfg: &PretrainConfig,
    images: &S,
    out_dir: &Path,
    progress: bool,
    resume: bool,
    build: &dyn Fn(u64) -> Result<B>,
    comm: &dyn Communicator,
) -> Result<Trained<B>> {
    cfg.validate(images.len())?;
    let (rank, world) = (comm.rank(), comm.world());
    let splits = cfg.rank_bn_splits(world)?;
    let (loader, views) = view_loader(cfg, images)?;
    let loader = loader.shard(rank, world);
    let progress = progress && rank == 0;
    std::fs::create_dir_all(out_dir).map_err(|source| ObjectivesError::Io {
        path: out_dir.into(),
        source,
    })?;
    let paths = CheckpointPaths::new(out_dir, &cfg.name);
    let steps_per_epoch = loader.plan().steps_per_epoch();
    let total = steps_per_epoch * cfg.epochs as u64;
    let end = cfg.max_steps.map_or(total, |m| m.min(total));

    let mut learner = Learner::new(
        cfg.objective,
        &cfg.hyper,
        splits,
        cfg.seed,
        &cfg.device,
        build,
    )?;
    let (names, vars): (Vec<String>, Vec<_>) = learner.trainable().into_iter().unzip();
    let h = &cfg.hyper;
    let mut opt = Sgd::new(vars, h.lr, h.momentum, h.weight_decay)?.with_lars(h.lars_eta);
    let mut start = 0;
    let mut carried = Vec::new();
    if resume && paths.json.is_file() {
        let meta = read_meta(&paths.json)?;
        check_same(&meta, cfg, images.len(), &paths.json)?;
        let state = read_tensors(&paths.state, &cfg.device)?;
        let saved: Vec<i64> = state
            .get("meta.step")
            .ok_or_else(|| ObjectivesError::Checkpoint {
                path: paths.state.clone(),
                msg: "no meta.step".into(),
            })?
            .to_vec1()?;
        if saved.first() == Some(&(meta.step as i64)) {
            learner.load_state(&state, meta.queue_ptr)?;
            opt.set_buffers(
                names
                    .iter()
                    .map(|n| state.get(&format!("opt.{n}")).cloned())
                    .collect(),
            )?;
            start = meta.step;
            carried = meta.recent;
        } else {
            // A kill between the state, weights and card renames: the files come from two
            // saves. Training is deterministic in (seed, step), so starting over gives the
            // numbers an uninterrupted run gives.
            eprintln!(
                "{} holds step {saved:?} but {} says {}: an interrupted save; starting over",
                paths.state.display(),
                paths.json.display(),
                meta.step
            );
        }
    }
    // Every rank starts from rank 0's weights, as DDP does (they agree already when the seed
    // and the checkpoint do).
    broadcast_vars(comm, opt.params(), 0)?;

    let base_lr = scaled_lr(h.lr, cfg.batch_size);
    let warmup = ((h.warmup_epochs * steps_per_epoch as f64) as u64).min(total / 10);
    let saver = Saver {
        cfg,
        paths: &paths,
        total,
        steps_per_epoch,
        n_images: images.len(),
        carried,
        writes: rank == 0,
        shuffle_bn: if world > 1 {
            format!(
                "{world} ranks x {splits} sub-batches with their own BN statistics; keys shuffled across ranks (MoCo's _batch_shuffle_ddp)"
            )
        } else {
            format!(
                "query and key batches in {splits} sub-batches with their own BN statistics; keys shuffled before splitting"
            )
        },
    };
    let bar = step_bar(
        progress,
        end.saturating_sub(start),
        format!("{} {}", cfg.objective.name(), cfg.policy),
    );

    let mut history = Vec::new();
    let timer = Instant::now();
    let dev = &cfg.device;
    loader.run(
        start..end,
        |img, rng| views.item(img, rng),
        |pairs| views.collate(pairs, dev),
        |batches| -> Result<()> {
            for batch in batches {
                let batch = batch?;
                let step = batch.step;
                let (x1, x2) = &batch.data;
                let lr = warmup_cosine_lr(base_lr, step, warmup, total);
                opt.lr = lr;
                let out = learner.step_in(x1, x2, step, comm)?;
                // The global batch's loss and accuracy, the same on every rank.
                let [loss, accuracy] = average_scalars(comm, [scalar(&out.loss)?, out.accuracy])?;
                if !loss.is_finite() {
                    return Err(ObjectivesError::NonFinite { step, value: loss });
                }
                let mut grads = out.loss.backward()?;
                average_gradients(comm, &mut grads, opt.params())?;
                opt.step(&grads)?;
                learner.after_step(step + 1, total)?;
                history.push(StepLog {
                    step,
                    loss,
                    accuracy,
                    lr,
                });
                let done = history.len() as f64;
                let ips = done * cfg.batch_size as f64 / timer.elapsed().as_secs_f64().max(1e-9);
                bar.set_message(format!("loss {loss:.4} acc {accuracy:.3} {ips:.1} img/s"));
                bar.inc(1);
                if cfg.checkpoint_every > 0
                    && (step + 1) % cfg.checkpoint_every == 0
                    && step + 1 < end
                {
                    saver.save(&learner, &opt, &names, step + 1, &history)?;
                }
            }
            Ok(())
        },
    )?;
    if (history.len() as u64) < end.saturating_sub(start) {
        return Err(ObjectivesError::Config(format!(
            "the data loader stopped after {} of {} steps",
            history.len(),
            end - start
        )));
    }
    let meta = saver.save(&learner, &opt, &names, end.max(start), &history)?;
    // No rank returns before rank 0's checkpoint is on disk.
    comm.barrier()?;
    bar.finish();
    let seconds = timer.elapsed().as_secs_f64();
    let images_per_second = history.len() as f64 * cfg.batch_size as f64 / seconds.max(1e-9);
    Ok(Trained {
        backbone: learner.backbone,
        meta,
        paths,
        report: TrainReport {
            start_step: start,
            history,
            images_per_second,
            seconds,
            bad_files: loader.bad_file_log(),
        },
    })
}
