//! Extrinsic invariance of one model (`invariance extrinsic`): scene latents regressed from its
//! features with RBF kernel ridge, on causal3dident or synth3d.

use std::path::PathBuf;

use image::RgbImage;
use rayon::prelude::*;
use sslinv_augment::Preprocess;
use sslinv_datasets::synth3d::{Latents, Sample};
use sslinv_datasets::{Dataset, Split, Targets};
use sslinv_invariance::extrinsic::{ExtrinsicResult, score_features, select_latents};
use sslinv_invariance::{EncoderFeatures, batched_features, draw_images};

use super::ModelJob;
use crate::error::{Result, StudyError};

/// An extrinsic run.
pub struct ExtrinsicJob {
    /// The model and its device.
    pub model: ModelJob,
    /// `causal3dident` or `synth3d`.
    pub dataset: String,
    /// Dataset root (synth3d: its cache folder).
    pub root: PathBuf,
    /// Latent to regress: `all`, an index, or a name.
    pub target: String,
    /// Most training images, drawn with `seed`.
    pub max_train: usize,
    /// Most test images, drawn with `seed`.
    pub max_test: usize,
    /// Seed of the draws and the CV folds.
    pub seed: u64,
    /// synth3d only: the quick set instead of the demo set.
    pub quick: bool,
}

/// Features and row-major targets of a drawn subset of a dataset split, in chunks.
fn split_features(
    f: &mut EncoderFeatures<'_>,
    set: &dyn Dataset,
    max: usize,
    seed: u64,
    prep: &Preprocess,
    batch: usize,
    model: &str,
) -> Result<(Vec<f32>, Vec<f32>, usize)> {
    let n = set.len().min(max);
    let idx = draw_images(set.len(), (n < set.len()).then_some(n), seed)?;
    let Targets::Values { values, dim: t } = set.targets() else {
        return Err(StudyError::Invalid(format!(
            "{} has no regression targets",
            set.name()
        )));
    };
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for chunk in idx.chunks(batch.max(1)) {
        let imgs = set.images(chunk).map_err(StudyError::context(format!(
            "decoding {} images",
            set.name()
        )))?;
        let prepared: Vec<RgbImage> = imgs.par_iter().map(|im| prep.image(im)).collect();
        x.extend(batched_features(f, &prepared, batch, model)?);
        for &i in chunk {
            y.extend_from_slice(&values[i * t..(i + 1) * t]);
        }
    }
    Ok((x, y, t))
}

fn synth3d(job: &ExtrinsicJob) -> Result<ExtrinsicResult> {
    let data = super::load_synth3d(&job.root, job.quick)?;
    let names: Vec<String> = Latents::NAMES.iter().map(|s| s.to_string()).collect();
    let split = |s: &[Sample], max: usize| -> Result<(Vec<RgbImage>, Vec<f32>)> {
        let idx = draw_images(s.len(), (max < s.len()).then_some(max), job.seed)?;
        Ok((
            idx.iter().map(|&i| s[i].image.clone()).collect(),
            idx.iter().flat_map(|&i| s[i].latents.to_vec()).collect(),
        ))
    };
    let (tr, tr_y) = split(&data.train, job.max_train)?;
    let (te, te_y) = split(&data.test, job.max_test)?;
    let (encoder, dev) = job.model.load()?;
    // synth3d images are small: keep their size instead of the 224 eval geometry.
    let prep = job.model.preprocess(None, None)?;
    let mut features = EncoderFeatures::new(encoder.as_ref(), &prep, &dev);
    Ok(sslinv_invariance::extrinsic::run_with(
        &mut features,
        (&tr, &tr_y),
        (&te, &te_y),
        &names,
        &job.target,
        &prep,
        job.model.batch,
        job.seed,
        "synth3d",
        &job.model.spec,
    )?)
}

fn causal3dident(job: &ExtrinsicJob) -> Result<ExtrinsicResult> {
    let start = std::time::Instant::now();
    let open = |split| {
        sslinv_datasets::open("causal3dident", &job.root, split).map_err(StudyError::context(
            format!("causal3dident under {}", job.root.display()),
        ))
    };
    let (train, test) = (open(Split::Train)?, open(Split::Test)?);
    let (encoder, dev) = job.model.load()?;
    let prep = job.model.preprocess(Some(224), Some(224))?;
    let (batch, model) = (job.model.batch, job.model.spec.as_str());
    let mut f = EncoderFeatures::new(encoder.as_ref(), &prep, &dev);
    let (train_x, train_y, t) = split_features(
        &mut f,
        train.as_ref(),
        job.max_train,
        job.seed,
        &prep,
        batch,
        model,
    )?;
    let (test_x, test_y, _) = split_features(
        &mut f,
        test.as_ref(),
        job.max_test,
        job.seed,
        &prep,
        batch,
        model,
    )?;
    let names: Vec<String> = (0..t).map(|i| i.to_string()).collect();
    let cols = select_latents(&job.target, &names)?;
    let dim = encoder.dim();
    let latents = score_features(
        &train_x, &train_y, &test_x, &test_y, dim, &names, &cols, job.seed,
    )?;
    Ok(ExtrinsicResult {
        dataset: "causal3dident".into(),
        model: model.to_string(),
        target: job.target.clone(),
        r2: latents.iter().map(|l| l.r2).sum::<f64>() / latents.len().max(1) as f64,
        latents,
        n_train: train_x.len() / dim,
        n_test: test_x.len() / dim,
        dim,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// R^2 per latent of the job's model on its dataset.
pub fn run_extrinsic(job: &ExtrinsicJob) -> Result<ExtrinsicResult> {
    match job.dataset.as_str() {
        "synth3d" => synth3d(job),
        "causal3dident" => causal3dident(job),
        other => Err(StudyError::Invalid(format!(
            "extrinsic invariance needs causal3dident or synth3d, not `{other}`"
        ))),
    }
}
