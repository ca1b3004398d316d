//! The supervised baseline: the same backbone, views and optimiser schedule as the
//! self-supervised runs, trained with cross-entropy through a linear head on class labels.
//! It writes the same checkpoint (`<name>.safetensors` + `<name>.json`, `objective:
//! "supervised"`, the head as `projector`) so every later stage treats it like any encoder.

use std::path::Path;
use std::sync::mpsc::sync_channel;
use std::time::Instant;

use crate::progress::step_bar;
use candle_core::{D, Tensor};
use image::RgbImage;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use sslinv_augment::{Policy, Preprocess};
use sslinv_datasets::stream::StreamSource;

use crate::backbone::{Backbone, is_buffer};
use crate::checkpoint::{
    CHECKPOINT_FORMAT, CheckpointMeta, CheckpointPaths, write_meta, write_tensors,
};
use crate::config::{Objective, PretrainConfig};
use crate::data::epoch_order;
use crate::learner::{mix, scalar};
use crate::loss::cross_entropy_from_target_logits;
use crate::optim::{Sgd, scaled_lr, warmup_cosine_lr};
use crate::resnet::ResNetBackbone;
use crate::train::{StepLog, TrainReport, Trained};
use crate::{Head, HeadSpec, ObjectivesError, Result};

/// One batch: views (N x 3 x S x S) and class indices.
struct LabelledBatch {
    step: u64,
    x: Tensor,
    y: Vec<u32>,
}

fn check_labels(cfg: &PretrainConfig, images: usize, labels: &[i64]) -> Result<usize> {
    if cfg.objective != Objective::Supervised {
        return Err(ObjectivesError::Config(format!(
            "supervised training with objective `{}`",
            cfg.objective.name()
        )));
    }
    if cfg.resume {
        return Err(ObjectivesError::Config(
            "the supervised baseline does not resume; delete the checkpoint or train anew".into(),
        ));
    }
    if labels.len() != images {
        return Err(ObjectivesError::Shape(format!(
            "{} labels for {images} images",
            labels.len()
        )));
    }
    if let Some(bad) = labels.iter().find(|&&c| !(0..1 << 20).contains(&c)) {
        return Err(ObjectivesError::Config(format!(
            "class id {bad} (expected 0..2^20)"
        )));
    }
    let classes = labels.iter().max().map_or(0, |&m| m as usize + 1);
    if classes < 2 {
        return Err(ObjectivesError::Config(format!(
            "{classes} class(es): a classifier needs at least two"
        )));
    }
    Ok(classes)
}

#[allow(clippy::too_many_arguments)]
fn make_batch<S: StreamSource + ?Sized>(
    images: &S,
    labels: &[i64],
    order: &[usize],
    policy: &Policy,
    cfg: &PretrainConfig,
    step: u64,
    steps_per_epoch: u64,
) -> Result<LabelledBatch> {
    let (batch, seed) = (cfg.batch_size, cfg.seed);
    let epoch = step / steps_per_epoch;
    let first = (step % steps_per_epoch) as usize * batch;
    let views: Vec<(RgbImage, u32)> = (first..first + batch)
        .into_par_iter()
        .map(|pos| {
            let mut rng = ChaCha8Rng::seed_from_u64(mix(mix(seed, 6, epoch), 7, pos as u64));
            let i = order[pos];
            // Decoded per view: memory follows the batch, not the dataset.
            let image = images.load(i)?;
            Ok((
                policy.sample(&image, cfg.image_size, &mut rng),
                labels[i] as u32,
            ))
        })
        .collect::<Result<_>>()?;
    let (v, y): (Vec<RgbImage>, Vec<u32>) = views.into_iter().unzip();
    let x = Preprocess::new(None, None)
        .to_tensor(&v, &cfg.device)
        .map_err(|e| ObjectivesError::Upstream(e.to_string()))?;
    Ok(LabelledBatch { step, x, y })
}

/// Mean cross-entropy of N x C `logits` against class indices, and the batch's top-1 accuracy.
pub fn softmax_cross_entropy(logits: &Tensor, y: &[u32]) -> Result<(Tensor, f32)> {
    let (n, c) = logits.dims2()?;
    if y.len() != n || y.iter().any(|&k| k as usize >= c) {
        return Err(ObjectivesError::Shape(format!(
            "{} labels (< {c}) for {n} rows of logits",
            y.len()
        )));
    }
    let mut onehot = vec![0f32; n * c];
    for (i, &k) in y.iter().enumerate() {
        onehot[i * c + k as usize] = 1.0;
    }
    let onehot = Tensor::from_vec(onehot, (n, c), logits.device())?;
    let target = (logits * onehot)?.sum(D::Minus1)?;
    let loss = cross_entropy_from_target_logits(logits, &target)?;
    let pred: Vec<u32> = logits.detach().argmax(D::Minus1)?.to_vec1()?;
    let right = pred.iter().zip(y).filter(|(p, t)| p == t).count();
    Ok((loss, right as f32 / n.max(1) as f32))
}

/// Trains a backbone made by `build(seed)` on labelled `images` (class ids `0..C`) and writes
/// its checkpoint into `out_dir`: `cfg.objective` must be [`Objective::Supervised`]; the
/// policy, image size, epochs, batch, seed, learning rate (scaled by batch / 256), warm-up,
/// momentum and weight decay mean what they mean for the self-supervised runs.
pub fn supervised_with<B: Backbone, S: StreamSource + ?Sized>(
    cfg: &PretrainConfig,
    images: &S,
    labels: &[i64],
    out_dir: &Path,
    progress: bool,
    build: &dyn Fn(u64) -> Result<B>,
) -> Result<Trained<B>> {
    cfg.validate(images.len())?;
    let classes = check_labels(cfg, images.len(), labels)?;
    if cfg.bad_files != sslinv_datasets::stream::BadFiles::Fail {
        return Err(ObjectivesError::Config(
            "the supervised baseline stops at a bad file: skipping would misalign its labels"
                .into(),
        ));
    }
    let policy = Policy::parse(&cfg.policy).map_err(|e| ObjectivesError::Config(e.to_string()))?;
    std::fs::create_dir_all(out_dir).map_err(|source| ObjectivesError::Io {
        path: out_dir.into(),
        source,
    })?;
    let paths = CheckpointPaths::new(out_dir, &cfg.name);
    let steps_per_epoch = (images.len() / cfg.batch_size) as u64;
    let total = steps_per_epoch * cfg.epochs as u64;
    let end = cfg.max_steps.map_or(total, |m| m.min(total));

    let backbone = build(cfg.seed)?;
    let spec = HeadSpec {
        dims: vec![backbone.dim(), classes],
        batch_norm: false,
    };
    let head = Head::new(&spec, mix(cfg.seed, 1, 0), &cfg.device)?;
    let mut trainable: Vec<_> = backbone
        .named_vars()
        .into_iter()
        .filter(|(n, _)| !is_buffer(n))
        .map(|(_, v)| v)
        .collect();
    trainable.extend(head.vars());
    let h = &cfg.hyper;
    let mut opt = Sgd::new(trainable, h.lr, h.momentum, h.weight_decay)?.with_lars(h.lars_eta);
    let base_lr = scaled_lr(h.lr, cfg.batch_size);
    let warmup = ((h.warmup_epochs * steps_per_epoch as f64) as u64).min(total / 10);

    let bar = step_bar(progress, end, format!("supervised {}", cfg.policy));
    let mut history = Vec::new();
    let timer = Instant::now();
    std::thread::scope(|scope| -> Result<()> {
        let (tx, rx) = sync_channel(cfg.prefetch.max(1));
        let policy = &policy;
        scope.spawn(move || {
            let mut order: Option<(u64, Vec<usize>)> = None;
            for step in 0..end {
                let epoch = step / steps_per_epoch;
                if order.as_ref().is_none_or(|(e, _)| *e != epoch) {
                    order = Some((epoch, epoch_order(cfg.seed, epoch, images.len())));
                }
                let ord = order.as_ref().map(|(_, o)| o.as_slice()).unwrap_or(&[]);
                let b = make_batch(images, labels, ord, policy, cfg, step, steps_per_epoch);
                let failed = b.is_err();
                if tx.send(b).is_err() || failed {
                    break;
                }
            }
        });
        for batch in rx {
            let batch = batch?;
            let lr = warmup_cosine_lr(base_lr, batch.step, warmup, total);
            opt.lr = lr;
            let logits = head.forward(&backbone.forward_t(&batch.x, true)?)?;
            let (loss_t, accuracy) = softmax_cross_entropy(&logits, &batch.y)?;
            let loss = scalar(&loss_t)?;
            if !loss.is_finite() {
                return Err(ObjectivesError::NonFinite {
                    step: batch.step,
                    value: loss,
                });
            }
            opt.step(&loss_t.backward()?)?;
            history.push(StepLog {
                step: batch.step,
                loss,
                accuracy,
                lr,
            });
            bar.set_message(format!("loss {loss:.4} acc {accuracy:.3}"));
            bar.inc(1);
        }
        Ok(())
    })?;
    bar.finish();
    let seconds = timer.elapsed().as_secs_f64();
    let meta = save(
        cfg,
        &paths,
        &backbone,
        &head,
        &history,
        end,
        total,
        steps_per_epoch,
        images.len(),
    )?;
    Ok(Trained {
        backbone,
        meta,
        paths,
        report: TrainReport {
            start_step: 0,
            images_per_second: history.len() as f64 * cfg.batch_size as f64 / seconds.max(1e-9),
            history,
            seconds,
            // A bad file stops the run (skipping is refused above).
            bad_files: Default::default(),
        },
    })
}

#[allow(clippy::too_many_arguments)]
fn save<B: Backbone>(
    cfg: &PretrainConfig,
    paths: &CheckpointPaths,
    backbone: &B,
    head: &Head,
    history: &[StepLog],
    step: u64,
    total: u64,
    steps_per_epoch: u64,
    n_images: usize,
) -> Result<CheckpointMeta> {
    let weights = backbone
        .named_vars()
        .into_iter()
        .map(|(n, v)| (n, v.as_tensor().clone()))
        .collect();
    write_tensors(&paths.weights, weights)?;
    // The classifier is kept next to the backbone (not needed by any later stage).
    let mut state: Vec<(String, Tensor)> = head
        .named_vars()
        .into_iter()
        .map(|(n, v)| (format!("head.{n}"), v.as_tensor().clone()))
        .collect();
    state.push((
        "meta.step".into(),
        Tensor::new(&[step as i64], &cfg.device)?,
    ));
    write_tensors(&paths.state, state)?;
    let recent = crate::train::recent_steps(&[], history);
    let file = |p: &Path| {
        p.file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let meta = CheckpointMeta {
        format: CHECKPOINT_FORMAT,
        arch: cfg.arch.clone(),
        width_mult: cfg.width_mult,
        stem: cfg.stem.clone(),
        dim: backbone.dim(),
        policy: cfg.policy.clone(),
        objective: Objective::Supervised,
        epoch: step as f64 / steps_per_epoch.max(1) as f64,
        step,
        total_steps: total,
        seed: cfg.seed,
        n_images,
        config: cfg.clone(),
        projector: head.spec().clone(),
        predictor: None,
        queue_ptr: None,
        shuffle_bn: None,
        loss: crate::train::mean_of(&recent, |s| s.loss),
        accuracy: crate::train::mean_of(&recent, |s| s.accuracy),
        weights: file(&paths.weights),
        state: file(&paths.state),
        recent,
    };
    write_meta(&paths.json, &meta)?;
    Ok(meta)
}

/// [`supervised_with`] on the configured ResNet (`cfg.arch`, `cfg.width_mult`, `cfg.stem`).
pub fn pretrain_supervised<S: StreamSource + ?Sized>(
    cfg: &PretrainConfig,
    images: &S,
    labels: &[i64],
    out_dir: &Path,
    progress: bool,
) -> Result<Trained<ResNetBackbone>> {
    supervised_with(cfg, images, labels, out_dir, progress, &|seed| {
        ResNetBackbone::new(cfg, seed)
    })
}
