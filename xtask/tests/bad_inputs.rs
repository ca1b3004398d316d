//! The bad-input corpus (issue 20): every format and command that reads user files, fed broken,
//! hostile or out-of-range input through the real `xtask` binary. Each case is generated into a
//! temporary folder and must end with a non-zero exit that is not a panic, a message naming the
//! file (or key, or argument) and the problem, within a time limit, and with nothing written
//! at `--out`. A few valid-but-awkward inputs (1x1, 16-bit, greyscale, CMYK) must succeed.

mod bad_inputs {
    pub mod checkpoints;
    pub mod datasets;
    pub mod files;
    pub mod harness;
    pub mod images;
    pub mod names;
    pub mod ranges;
    pub mod results;
}

use bad_inputs::harness::run_all;
use bad_inputs::*;

#[test]
fn bad_images() {
    let dir = tempfile::tempdir().unwrap();
    run_all("images", images::cases(dir.path()));
}

#[test]
fn bad_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    run_all("checkpoints", checkpoints::cases(dir.path()));
    // The hostile pickle would have created this file had anything run it.
    assert!(
        !dir.path().join("pwned").exists(),
        "the pickle's os.system ran"
    );
}

#[test]
fn bad_datasets() {
    let dir = tempfile::tempdir().unwrap();
    run_all("datasets", datasets::cases(dir.path()));
}

#[test]
fn bad_features_and_results() {
    let dir = tempfile::tempdir().unwrap();
    run_all("features and results", results::cases(dir.path()));
}

#[test]
fn bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases = names::cases(dir.path());
    cases.extend(ranges::cases(dir.path()));
    run_all("arguments", cases);
}
