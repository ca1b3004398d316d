//! Which probe and metric each downstream dataset is scored with, as the paper.

use sslinv_heads::{Metric, Task};

/// The probe task and metric for `dataset` (a registry name) whose targets are classes or not.
///
/// Caltech101 uses mean per-class accuracy, other classification sets accuracy, and regression
/// sets (300W, CelebA, LSP landmarks, Causal3DIdent latents, synth3d targets) R^2.
pub fn probe_task(dataset: &str, classes: bool) -> (Task, Metric) {
    let name = dataset.trim().to_ascii_lowercase().replace(['-', '_'], "");
    match (classes, name.as_str()) {
        (true, "caltech101") => (Task::Classification, Metric::MeanPerClass),
        (true, _) => (Task::Classification, Metric::Accuracy),
        (false, _) => (Task::Regression, Metric::R2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_metrics_per_dataset() {
        assert_eq!(
            probe_task("caltech101", true),
            (Task::Classification, Metric::MeanPerClass)
        );
        assert_eq!(probe_task("Caltech-101", true).1, Metric::MeanPerClass);
        assert_eq!(probe_task("cifar10", true).1, Metric::Accuracy);
        assert_eq!(probe_task("flowers102", true).1, Metric::Accuracy);
        assert_eq!(probe_task("300w", false), (Task::Regression, Metric::R2));
        assert_eq!(probe_task("causal3dident", false).1, Metric::R2);
    }
}
