//! The pretrain step: one model pretrained with the preset's objective and its policy,
//! checkpointed every `checkpoint_every` steps so a killed run resumes exactly.

use image::RgbImage;
use sslinv_augment::Preprocess;
use sslinv_objectives::{Objective, PretrainConfig};

use crate::data::root::{IMAGENET_TRAIN, IMAGENET_VAL, dataset_dir};
use crate::data::{DataContext, DatasetImages, Images};
use crate::error::{Result, StudyError};
use crate::models::ModelSource;
use crate::runner::Runner;

/// The training config of `model` under the runner's preset.
pub fn config(r: &Runner, model: &str) -> Result<PretrainConfig> {
    let entry = r
        .plan
        .model(model)
        .ok_or_else(|| StudyError::Invalid(format!("no model `{model}`")))?;
    let ModelSource::Pretrain {
        policy,
        objective,
        width_mult,
    } = &entry.source
    else {
        return Err(StudyError::Invalid(format!(
            "`{model}` is not pretrained here"
        )));
    };
    let p = &r.preset.pretrain;
    let objective: Objective = objective.parse()?;
    let mut cfg = PretrainConfig::new(objective, policy, &p.arch);
    cfg.name = model.to_string();
    cfg.width_mult = *width_mult;
    cfg.stem = p.stem.clone();
    cfg.image_size = p.image_size;
    cfg.epochs = p.epochs;
    cfg.max_steps = p.max_steps;
    cfg.batch_size = p.batch_size;
    cfg.seed = r.preset.seed;
    cfg.resume = true;
    cfg.checkpoint_every = p.checkpoint_every;
    cfg.device = r.device.clone();
    if let Some(lr) = p.lr {
        cfg.hyper.lr = lr;
    }
    if let Some(q) = p.queue {
        cfg.hyper.queue_size = q;
    }
    if let Some(m) = p.key_momentum {
        cfg.hyper.key_momentum = m;
    }
    if let Some(t) = p.temperature {
        cfg.hyper.temperature = t;
    }
    if let Some(w) = p.warmup_epochs {
        cfg.hyper.warmup_epochs = w;
    }
    Ok(cfg)
}

/// The pretraining images, resized as the preset says.
fn images(r: &Runner) -> Result<Vec<RgbImage>> {
    let p = &r.preset.pretrain;
    let resize = |im: RgbImage| match p.image_side {
        Some(s) => Preprocess::new(Some(s), None).image(&im),
        None => im,
    };
    match &r.data {
        DataContext::Synth3d { .. } => Ok(r
            .data
            .synth3d()?
            .pretrain
            .iter()
            .cloned()
            .map(resize)
            .collect()),
        DataContext::Root { root, .. } => {
            let train = dataset_dir(root, IMAGENET_TRAIN);
            let set = if train.is_dir() {
                Box::new(sslinv_datasets::loaders::image_folder::image_folder(
                    IMAGENET_TRAIN,
                    &train,
                    sslinv_datasets::Split::Train,
                )?) as Box<dyn sslinv_datasets::Dataset>
            } else {
                sslinv_datasets::open(
                    IMAGENET_VAL,
                    &dataset_dir(root, IMAGENET_VAL),
                    sslinv_datasets::Split::Val,
                )?
            };
            let list = DatasetImages::new(vec![set], p.max_images, r.preset.seed);
            let mut out = Vec::with_capacity(list.len());
            for i in 0..list.len() {
                out.push(resize(list.get(i)?));
            }
            Ok(out)
        }
    }
}

/// Pretrains `model`, resuming its checkpoint if one exists.
pub fn run(r: &mut Runner, model: &str) -> Result<()> {
    let mut cfg = config(r, model)?;
    let images = images(r)?;
    // MoCo's queue must not outgrow a small image set.
    let per_epoch = images.len() / cfg.batch_size * cfg.batch_size;
    cfg.hyper.queue_size = cfg.hyper.queue_size.min(per_epoch).max(cfg.batch_size);
    if r.progress {
        println!(
            "  {} {} policy, {} x{} ({} stem), {} images at {} px",
            cfg.objective.name(),
            cfg.policy,
            cfg.arch,
            cfg.width_mult,
            cfg.stem,
            images.len(),
            cfg.image_size
        );
    }
    sslinv_objectives::pretrain(&cfg, &images, &r.layout.checkpoints, r.progress)?;
    Ok(())
}
