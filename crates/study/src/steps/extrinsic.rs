//! The extrinsic step: the dataset's latents regressed from one model's cached features with
//! RBF kernel ridge (at most `EXTRINSIC_MAX` rows: the kernel is N x N).

use sslinv_invariance::ExtrinsicResult;
use sslinv_invariance::extrinsic::score_features;
use std::time::Instant;

use crate::data::EXTRINSIC_MAX;
use crate::error::Result;
use crate::io::write_json;
use crate::runner::Runner;
use crate::step::Step;
use crate::subset::subset;

fn rows<T: Copy>(values: &[T], width: usize, index: &[usize]) -> Vec<T> {
    index
        .iter()
        .flat_map(|&i| values[i * width..(i + 1) * width].iter().copied())
        .collect()
}

/// Features, latents (row-major), latent names and feature width of one split.
type Split = (Vec<f32>, Vec<f32>, Vec<String>, usize);

/// Regresses every latent of `dataset` from `model`'s features.
pub fn run(r: &mut Runner, model: &str, dataset: &str, step: &Step) -> Result<()> {
    let start = Instant::now();
    let seed = r.preset.seed;
    let split = |name: &str, cap: usize| -> Result<Split> {
        let (x, n, dim) =
            super::features::read_features(&r.layout.features_of(model, dataset, name))?;
        let (y, names) = r.data.latents(dataset, name, &r.preset)?;
        let t = names.len();
        crate::error::check_rows(&format!("{dataset} {name} latents"), n, y.len() / t.max(1))?;
        let index = subset(n, Some(cap), seed);
        Ok((rows(&x, dim, &index), rows(&y, t, &index), names, dim))
    };
    let (train_x, train_y, names, dim) = split("train", EXTRINSIC_MAX.0)?;
    let (test_x, test_y, _, _) = split("test", EXTRINSIC_MAX.1)?;
    let columns: Vec<usize> = (0..names.len()).collect();
    let latents = score_features(
        &train_x, &train_y, &test_x, &test_y, dim, &names, &columns, seed,
    )?;
    let result = ExtrinsicResult {
        dataset: dataset.to_string(),
        model: model.to_string(),
        target: "all".into(),
        r2: latents.iter().map(|l| l.r2).sum::<f64>() / latents.len().max(1) as f64,
        latents,
        n_train: train_x.len() / dim.max(1),
        n_test: test_x.len() / dim.max(1),
        dim,
        seconds: start.elapsed().as_secs_f64(),
    };
    write_json(&step.outputs[0], &result)
}
