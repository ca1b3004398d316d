//! The progress bar of a training run.

use indicatif::{ProgressBar, ProgressStyle};

/// The training progress bar (`prefix [====>   ] step/steps loss ETA`), hidden unless `progress`.
pub fn step_bar(progress: bool, steps: u64, prefix: String) -> ProgressBar {
    if !progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(steps);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(prefix);
    bar
}
