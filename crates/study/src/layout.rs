//! Where a study writes: checkpoints, cached features, per-step results, the report.

use std::path::{Path, PathBuf};

/// The folders of one study run under its output folder.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The output folder.
    pub out: PathBuf,
    /// Per-step result JSON, `study.json` and the sample grid.
    pub results: PathBuf,
    /// Pretrained checkpoints (`<model>.safetensors` + `<model>.json`).
    pub checkpoints: PathBuf,
    /// Cached features (`<model>/<dataset>_<split>.safetensors`).
    pub features: PathBuf,
    /// The report (`index.html`, `README.md`).
    pub report: PathBuf,
}

impl Layout {
    /// The layout under `out`.
    pub fn new(out: &Path) -> Layout {
        Layout {
            out: out.to_path_buf(),
            results: out.join("results"),
            checkpoints: out.join("checkpoints"),
            features: out.join("features"),
            report: out.join("report"),
        }
    }

    /// The checkpoint card of a pretrained model.
    pub fn card(&self, model: &str) -> PathBuf {
        self.checkpoints.join(format!("{model}.json"))
    }

    /// The weights of a pretrained model.
    pub fn weights(&self, model: &str) -> PathBuf {
        self.checkpoints.join(format!("{model}.safetensors"))
    }

    /// A result file: `results/<parts...>.json`.
    pub fn result(&self, parts: &[&str]) -> PathBuf {
        let mut p = self.results.clone();
        for (i, part) in parts.iter().enumerate() {
            if i + 1 == parts.len() {
                p.push(format!("{part}.json"));
            } else {
                p.push(part);
            }
        }
        p
    }

    /// Cached features of a model on one split of a dataset.
    pub fn features_of(&self, model: &str, dataset: &str, split: &str) -> PathBuf {
        self.features
            .join(model)
            .join(format!("{dataset}_{split}.safetensors"))
    }

    /// The seconds each step took, one file per step (written by whoever ran it).
    pub fn timing(&self, step: &str) -> PathBuf {
        self.results
            .join("timings")
            .join(format!("{}.json", step.replace('/', "__")))
    }
}
