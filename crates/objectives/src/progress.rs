//! The progress bar of a training run.

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::sync::OnceLock;

/// The training progress bar (`prefix [====>   ] step/steps loss ETA`), hidden unless `progress`.
/// Every bar joins one process-wide [`MultiProgress`], so runs trained side by side (the study
/// runner's `pretrain.concurrent`) draw on lines of their own instead of over each other.
pub fn step_bar(progress: bool, steps: u64, prefix: String) -> ProgressBar {
    if !progress {
        return ProgressBar::hidden();
    }
    static BARS: OnceLock<MultiProgress> = OnceLock::new();
    let bar = BARS
        .get_or_init(MultiProgress::new)
        .add(ProgressBar::new(steps));
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(prefix);
    bar
}
