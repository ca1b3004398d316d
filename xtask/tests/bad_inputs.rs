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

use bad_inputs::harness::{Case, run_all};
use bad_inputs::*;

/// Runs the cases `cases` writes into a fresh folder, which is returned for a look at what the
/// runs left there.
fn run_group(category: &str, cases: fn(&std::path::Path) -> Vec<Case>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    run_all(category, cases(dir.path()));
    dir
}

#[test]
fn bad_images() {
    run_group("images", images::cases);
}

#[test]
fn bad_checkpoints() {
    let dir = run_group("checkpoints", checkpoints::cases);
    // The hostile pickle would have created this file had anything run it.
    assert!(
        !dir.path().join("pwned").exists(),
        "the pickle's os.system ran"
    );
}

#[test]
fn bad_datasets() {
    run_group("datasets", datasets::cases);
}

#[test]
fn bad_features_and_results() {
    run_group("features and results", results::cases);
}

#[test]
fn bad_arguments() {
    run_group("arguments", |root| {
        let mut cases = names::cases(root);
        cases.extend(ranges::cases(root));
        cases
    });
}
