//! The pretrain step: one model pretrained with the preset's objective and its policy,
//! checkpointed every `checkpoint_every` steps so a killed run resumes exactly.

use image::RgbImage;
use sslinv_augment::Preprocess;
use sslinv_objectives::{Objective, PretrainConfig};

use crate::data::DataContext;
use crate::data::root::{IMAGENET_TRAIN, IMAGENET_VAL, dataset_dir};
use crate::error::{Result, StudyError};
use crate::models::ModelSource;
use crate::runner::Runner;
use crate::subset::subset;
use sslinv_datasets::stream::{FileList, StreamSource};

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
    let policy = sslinv_augment::Policy::parse(policy)?
        .with_protocol(r.preset.fidelity())
        .spec();
    let mut cfg = PretrainConfig::new(objective, &policy, &p.arch);
    cfg.name = model.to_string();
    cfg.width_mult = *width_mult;
    cfg.stem = p.stem.clone();
    cfg.image_size = p.image_size;
    cfg.epochs = p.epochs;
    cfg.max_steps = p.max_steps;
    cfg.batch_size = p.batch_size;
    cfg.seed = r.preset.seed;
    // The supervised baseline is short and does not resume: a killed one trains anew.
    cfg.resume = objective != Objective::Supervised;
    cfg.checkpoint_every = p.checkpoint_every;
    cfg.device = r.device.clone();
    // The preset's learning rate is the self-supervised objective's; the baseline has its own.
    let lr = match objective {
        Objective::Supervised => r.preset.baselines.supervised_lr,
        _ => p.lr,
    };
    if let Some(lr) = lr {
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

/// Pretraining images decoded on demand: a seeded subset of a source, resized as the preset
/// says, so memory follows the batch and not the dataset.
struct Stream<'a> {
    inner: &'a dyn StreamSource,
    index: Vec<usize>,
    side: Option<u32>,
}

impl StreamSource for Stream<'_> {
    fn len(&self) -> usize {
        self.index.len()
    }

    fn load(&self, i: usize) -> sslinv_datasets::Result<RgbImage> {
        let image = self.inner.load(self.index[i])?;
        Ok(match self.side {
            Some(s) => Preprocess::new(Some(s), None).image(&image),
            None => image,
        })
    }

    fn origin(&self, i: usize) -> String {
        self.inner.origin(self.index[i])
    }
}

/// The pretraining files under a data root: ImageNet train, or val when train is absent.
fn root_files(root: &std::path::Path) -> Result<FileList> {
    let train = dataset_dir(root, IMAGENET_TRAIN);
    Ok(if train.is_dir() {
        FileList::image_folder(&train)?
    } else {
        FileList::image_folder(&dataset_dir(root, IMAGENET_VAL))?
    })
}

/// Pretrains `model`, resuming its checkpoint if one exists.
pub fn run(r: &mut Runner, model: &str) -> Result<()> {
    let mut cfg = config(r, model)?;
    let p = &r.preset.pretrain;
    let (files, synth);
    let (inner, labels): (&dyn StreamSource, Vec<i64>) = match &r.data {
        DataContext::Synth3d { .. } => {
            synth = r.data.synth3d()?;
            let labels = synth.pretrain_latents.iter().map(|l| l.class).collect();
            (&synth.pretrain, labels)
        }
        DataContext::Root { root, .. } => {
            files = root_files(root)?;
            let labels = (0..files.len())
                .map(|i| files.label(i).map_or(-1, |l| l as i64))
                .collect();
            (&files, labels)
        }
    };
    let index = subset(inner.len(), p.max_images, r.preset.seed);
    let labels: Vec<i64> = index.iter().map(|&i| labels[i]).collect();
    let images = Stream {
        inner,
        index,
        side: p.image_side,
    };
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
    let out = &r.layout.checkpoints;
    if cfg.objective == Objective::Supervised {
        if labels.iter().any(|&l| l < 0) {
            return Err(StudyError::Invalid(
                "the supervised baseline needs class labels for every pretraining image".into(),
            ));
        }
        sslinv_objectives::pretrain_supervised(&cfg, &images, &labels, out, r.progress)?;
    } else {
        sslinv_objectives::pretrain(&cfg, &images, out, r.progress)?;
    }
    Ok(())
}
