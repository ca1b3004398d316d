//! Helpers shared by the study's integration tests.

// Each test binary includes this module and uses only some of it.
#![allow(dead_code)]

use std::path::Path;

use candle_core::Device;
use sslinv_study::{Outcome, Preset, Source, Study, prepare, report};

/// Runs the smoke preset over the data root `data` into `out`, with the `given` models beside
/// its own; the outcome of every step.
pub fn run_smoke(data: &Path, out: &Path, given: &[(String, String)]) -> Vec<(String, Outcome)> {
    let preset = Preset::load("smoke").unwrap();
    let source = Source::Root {
        root: data.to_path_buf(),
        fetch: false,
    };
    let (mut runner, _) = prepare(&preset, &source, out, Device::Cpu, given, false).unwrap();
    runner.progress = false;
    runner.run()
}

/// `run_smoke`, asserting that no step failed; the study.json it wrote.
pub fn smoke_study(data: &Path, out: &Path, given: &[(String, String)]) -> Study {
    let outcomes = run_smoke(data, out, given);
    let failed: Vec<_> = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Failed(_)))
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    report::read_study(&out.join("results")).unwrap()
}
