//! Two `cargo xtask invariance synthetic` processes started at once on one statistics cache
//! (`--cache`): both finish, with the result of a lone run, the cache holds one statistics file
//! that parses to the lone run's numbers, and no temporary file is left. Each round starts cold, so
//! both processes compute and store the same statistics file at about the same moment.
//! Repeated 2026-12-02 (debug build, 2 shared cores, load ~4-6): 20/20 passed, 84 s in all.

mod common;

use common::write_image;
use sslinv_invariance::{FeatureStats, StatsCache};
use std::path::Path;
use std::process::{Command, Stdio};

/// Width 1/2 (256-d features): the statistics file is about 1 MB, so the two writes
/// overlap for long enough to tear a shared temp file.
const MODEL: &str = "random:resnet18:seed=0:width=0.5:stem=cifar";

fn synthetic(images: &Path, cache: &Path, out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xtask"));
    c.args(["invariance", "synthetic", "--model", MODEL])
        .args([
            "--transform",
            "rotation",
            "--k",
            "3",
            "--resize",
            "32",
            "--crop",
            "32",
        ])
        .arg("--images")
        .arg(images)
        .arg("--cache")
        .arg(cache)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

/// The result without its wall-clock time.
fn numbers(path: &Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["seconds"] = 0.into();
    v
}

/// The one statistics file in `dir`, parsed (a torn file fails to parse), and what else is
/// there (temporary files).
fn cached(dir: &Path) -> (FeatureStats, Vec<String>) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let key = names
        .iter()
        .find_map(|n| n.strip_prefix("stats-")?.strip_suffix(".safetensors"))
        .unwrap_or_else(|| panic!("no statistics file among {names:?}"));
    let stats = StatsCache::new(dir).load(key).unwrap().unwrap();
    (stats, names)
}

fn same(a: &FeatureStats, b: &FeatureStats) -> bool {
    (a.count, a.dim, &a.mean, &a.covariance, &a.whitening)
        == (b.count, b.dim, &b.mean, &b.covariance, &b.whitening)
        && (a.shrinkage, a.ridge) == (b.shrinkage, b.ridge)
}

#[test]
fn two_processes_racing_on_one_stats_cache_both_finish_right() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    for i in 0..6 {
        write_image(&images.join(format!("{i}.png")), i % 3, i);
    }
    let (lone_cache, lone) = (dir.path().join("lone-cache"), dir.path().join("lone.json"));
    let run = synthetic(&images, &lone_cache, &lone).output().unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (want, _) = cached(&lone_cache);

    let cache = dir.path().join("cache");
    for round in 0..4 {
        let _ = std::fs::remove_dir_all(&cache);
        let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
        let first = synthetic(&images, &cache, &a).spawn().unwrap();
        let second = synthetic(&images, &cache, &b).spawn().unwrap();
        for (name, child) in [("first", first), ("second", second)] {
            let o = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(o.status.success(), "round {round}, {name} process: {err}");
        }
        assert_eq!(numbers(&a), numbers(&lone), "round {round}");
        assert_eq!(numbers(&b), numbers(&lone), "round {round}");
        let (got, names) = cached(&cache);
        assert_eq!(names.len(), 1, "round {round}: cache holds {names:?}");
        assert!(
            same(&got, &want),
            "round {round}: cached statistics differ from a lone run's"
        );
    }
}
