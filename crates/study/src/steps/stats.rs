//! The stats step: whitening statistics of one model over the statistics images, streamed.

use sslinv_invariance::{FeatureStats, StatsAccumulator, StatsCache};

use crate::error::Result;
use crate::io::write_json;
use crate::layout::Layout;
use crate::runner::Runner;
use crate::step::Step;

fn cache(layout: &Layout) -> StatsCache {
    StatsCache::new(layout.results.join("stats"))
}

/// Computes and stores the statistics of `model` (the summary JSON is written last).
pub fn run(r: &mut Runner, model: &str, step: &Step) -> Result<()> {
    let eval = r.preset.eval();
    let images = r.data.stats_images(&r.preset)?;
    let msg = format!("statistics of {model}");
    let enc = super::Encoding::new(r, model, eval.sweep_resize, images.len(), &msg)?;
    let mut acc = StatsAccumulator::new(enc.dim(), format!("{model} on the statistics images"));
    // One chunk of images at a time: memory is bounded by the chunk, not the image count.
    let chunk = (enc.batch * 8).max(1);
    let n = images.len();
    for start in (0..n).step_by(chunk) {
        let part = Slice {
            inner: images.as_ref(),
            start,
            end: (start + chunk).min(n),
        };
        let rows = enc.encode(&part)?;
        acc.push(&rows, part.end - part.start)?;
    }
    enc.finish();
    let stats = acc.finish()?;
    cache(&r.layout).store(model, &stats)?;
    write_json(&step.outputs[0], &stats.summary())
}

/// The stored statistics of `model`.
pub fn load(layout: &Layout, model: &str) -> Result<FeatureStats> {
    cache(layout).load(model)?.ok_or_else(|| {
        crate::error::StudyError::Invalid(format!(
            "no statistics for `{model}` under {} (run its stats step)",
            layout.results.join("stats").display()
        ))
    })
}

/// A contiguous range of an image list.
struct Slice<'a> {
    inner: &'a dyn crate::data::Images,
    start: usize,
    end: usize,
}

impl crate::data::Images for Slice<'_> {
    fn len(&self) -> usize {
        self.end - self.start
    }

    fn get(&self, i: usize) -> Result<image::RgbImage> {
        self.inner.get(self.start + i)
    }
}
