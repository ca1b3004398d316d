//! The multi-view step: one model's invariance over the view groups of one dataset, with a
//! bootstrap interval over groups.

use serde::{Deserialize, Serialize};
use sslinv_invariance::{MultiviewScores, score_groups};

use crate::error::Result;
use crate::interval::bootstrap_mean;
use crate::io::write_json;
use crate::runner::Runner;
use crate::step::Step;

/// What the multi-view step writes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MultiviewRecord {
    /// View-group dataset.
    pub views: String,
    /// Model name.
    pub model: String,
    /// Mean scores and the per-group ones.
    #[serde(flatten)]
    pub scores: MultiviewScores,
    /// 95 % bootstrap interval of `similarity` over groups.
    pub ci95: Option<[f64; 2]>,
}

/// Scores `model` on the groups of `views`.
pub fn run(r: &mut Runner, model: &str, views: &str, step: &Step) -> Result<()> {
    let stats = r.stats(model)?;
    let (images, groups) = r.data.view_groups(views, &r.preset)?;
    let eval = r.preset.eval();
    let (seed, resamples) = (r.preset.seed, r.preset.invariance.bootstrap);
    let msg = format!("{views} views of {model}");
    let enc = super::Encoding::new(r, model, eval.resize, images.len(), &msg)?;
    let rows = enc.encode(images.as_ref())?;
    enc.finish();
    let scores = score_groups(&stats, &rows, &groups)?;
    let per_group: Vec<f64> = scores.groups.iter().map(|g| g.similarity).collect();
    write_json(
        &step.outputs[0],
        &MultiviewRecord {
            views: views.to_string(),
            model: model.to_string(),
            ci95: bootstrap_mean(&per_group, resamples, seed),
            scores,
        },
    )
}
