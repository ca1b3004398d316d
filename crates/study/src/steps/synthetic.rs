//! The synthetic step: one model's invariance to one transform, the sweep applied to each
//! image in turn (memory bounded by one image's sweep), with a bootstrap interval over images.

use serde::{Deserialize, Serialize};
use sslinv_augment::{Sweep, Transform};
use sslinv_invariance::{EncoderFeatures, SyntheticOptions, SyntheticResult, synthetic};

use crate::error::Result;
use crate::interval::bootstrap_mean;
use crate::io::write_json;
use crate::runner::Runner;
use crate::step::Step;

/// What the synthetic step writes: the paper's result plus the per-image means behind its
/// interval.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyntheticRecord {
    /// The sweep's scores averaged over images.
    #[serde(flatten)]
    pub result: SyntheticResult,
    /// Mean similarity over settings, per image.
    pub per_image: Vec<f64>,
    /// 95 % bootstrap interval of `mean_similarity` over images.
    pub ci95: Option<[f64; 2]>,
}

/// Sweeps `transform` over the sweep images with `model`'s encoder.
pub fn run(r: &mut Runner, model: &str, transform: Transform, step: &Step) -> Result<()> {
    let stats = r.stats(model)?;
    let images = r.data.sweep_images(&r.preset)?;
    let eval = r.preset.eval();
    let sweep = Sweep::with_protocol(transform, r.preset.invariance.k, r.preset.fidelity());
    let opts = SyntheticOptions {
        prep: r.preprocess(model, Some(eval.sweep_resize), Some(eval.crop))?,
        batch: Some(r.preset.invariance.batch),
        equivariance_rows: 0,
        seed: r.preset.seed,
    };
    let (seed, resamples, device) = (
        r.preset.seed,
        r.preset.invariance.bootstrap,
        r.device.clone(),
    );
    let bar = super::progress(
        images.len(),
        "images",
        &format!("{} invariance of {model}", transform.name()),
        r.progress,
    );
    let enc = r.encoder(model)?;
    let mut features = EncoderFeatures::new(enc, &opts.prep, &device);
    let mut each: Vec<SyntheticResult> = Vec::with_capacity(images.len());
    for i in 0..images.len() {
        let img = images.get(i)?;
        let one = synthetic::run_with(
            &mut features,
            std::slice::from_ref(&img),
            &sweep,
            &stats,
            &opts,
            model,
        )?;
        each.push(one);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let record = combine(each, resamples, seed).ok_or_else(|| {
        crate::error::StudyError::Invalid("no sweep images: nothing to measure".into())
    })?;
    write_json(&step.outputs[0], &record)
}

/// The per-image results averaged (the mean over images of per-image means is the paper's
/// mean over settings of per-setting means over images).
pub fn combine(each: Vec<SyntheticResult>, resamples: usize, seed: u64) -> Option<SyntheticRecord> {
    let first = each.first()?.clone();
    let n = each.len() as f64;
    let k = first.similarity.len();
    let avg = |f: fn(&SyntheticResult) -> &Vec<f64>| -> Vec<f64> {
        (0..k)
            .map(|j| each.iter().map(|r| f(r)[j]).sum::<f64>() / n)
            .collect()
    };
    let similarity = avg(|r| &r.similarity);
    let distance = avg(|r| &r.distance);
    let per_image: Vec<f64> = each.iter().map(|r| r.mean_similarity).collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let result = SyntheticResult {
        mean_similarity: mean(&similarity),
        mean_distance: mean(&distance),
        similarity,
        distance,
        n_images: each.len(),
        seconds: each.iter().map(|r| r.seconds).sum(),
        equivariance: None,
        ..first
    };
    let ci95 = bootstrap_mean(&per_image, resamples, seed);
    Some(SyntheticRecord {
        result,
        per_image,
        ci95,
    })
}
