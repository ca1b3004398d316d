//! The pretrain step: one model pretrained with the preset's objective and its policy,
//! checkpointed every `checkpoint_every` steps so a killed run resumes exactly.

use image::RgbImage;
use sslinv_augment::Preprocess;
use sslinv_datasets::synth3d::Synth3d;
use sslinv_objectives::{Objective, PretrainConfig};
use std::path::PathBuf;
use std::sync::Arc;

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

/// Where a pretraining run's images come from, held by the run so it can go to another thread.
enum Images {
    /// The rendered synth3d pretraining set.
    Synth3d(Arc<Synth3d>),
    /// The image files under a data root.
    Files(FileList),
}

/// One pretraining run, prepared on the runner's thread and runnable on any other.
pub struct PretrainJob {
    cfg: PretrainConfig,
    images: Images,
    index: Vec<usize>,
    labels: Vec<i64>,
    side: Option<u32>,
    out: PathBuf,
    progress: bool,
}

/// Prepares the pretraining of `model`: its config, its images and (for the supervised
/// baseline) their labels. Loads synth3d here, so concurrent runs never render it twice.
pub fn prepare(r: &Runner, model: &str) -> Result<PretrainJob> {
    let mut cfg = config(r, model)?;
    let p = &r.preset.pretrain;
    let (images, labels): (Images, Vec<i64>) = match &r.data {
        DataContext::Synth3d { .. } => {
            let synth = r.data.synth3d()?;
            let labels = synth.pretrain_latents.iter().map(|l| l.class).collect();
            (Images::Synth3d(synth), labels)
        }
        DataContext::Root { root, .. } => {
            let files = root_files(root)?;
            let labels = (0..files.len())
                .map(|i| files.label(i).map_or(-1, |l| l as i64))
                .collect();
            (Images::Files(files), labels)
        }
    };
    let all = match &images {
        Images::Synth3d(s) => s.pretrain.len(),
        Images::Files(f) => f.len(),
    };
    let index = subset(all, p.max_images, r.preset.seed);
    let labels: Vec<i64> = index.iter().map(|&i| labels[i]).collect();
    // MoCo's queue must not outgrow a small image set.
    let per_epoch = index.len() / cfg.batch_size * cfg.batch_size;
    cfg.hyper.queue_size = cfg.hyper.queue_size.min(per_epoch).max(cfg.batch_size);
    if cfg.objective == Objective::Supervised && labels.iter().any(|&l| l < 0) {
        return Err(StudyError::Invalid(
            "the supervised baseline needs class labels for every pretraining image".into(),
        ));
    }
    Ok(PretrainJob {
        cfg,
        images,
        index,
        labels,
        side: p.image_side,
        out: r.layout.checkpoints.clone(),
        progress: r.progress,
    })
}

impl PretrainJob {
    /// One line saying what this run trains.
    pub fn describe(&self) -> String {
        let c = &self.cfg;
        format!(
            "{} {} policy, {} x{} ({} stem), {} images at {} px",
            c.objective.name(),
            c.policy,
            c.arch,
            c.width_mult,
            c.stem,
            self.index.len(),
            c.image_size
        )
    }

    /// Trains, resuming the model's checkpoint if one exists.
    pub fn run(&self) -> Result<()> {
        let inner: &dyn StreamSource = match &self.images {
            Images::Synth3d(s) => &s.pretrain,
            Images::Files(f) => f,
        };
        let images = Stream {
            inner,
            index: self.index.clone(),
            side: self.side,
        };
        let (cfg, out) = (&self.cfg, &self.out);
        if cfg.objective == Objective::Supervised {
            sslinv_objectives::pretrain_supervised(cfg, &images, &self.labels, out, self.progress)?;
        } else {
            sslinv_objectives::pretrain(cfg, &images, out, self.progress)?;
        }
        Ok(())
    }
}

/// Pretrains `model`, resuming its checkpoint if one exists; on a CPU in a pool of every core,
/// its threads pinned.
pub fn run(r: &Runner, model: &str) -> Result<()> {
    let job = prepare(r, model)?;
    if r.progress {
        println!("  {}", job.describe());
    }
    if !r.device.is_cpu() {
        return job.run();
    }
    sslinv_kernels::run_pinned(rayon::current_num_threads(), 0, || job.run())
        .unwrap_or_else(|e| Err(StudyError::Invalid(format!("thread pool: {e}"))))
}
