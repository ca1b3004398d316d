//! Two `cargo xtask downstream` processes started at once on the same data root share its
//! feature cache: both finish, with the same result as a lone run, and no torn or temporary
//! file is left in the cache.
//! Repeated 2026-12-02 (debug build, 2 shared cores, load ~4-6): 20/20 passed, 13.5 s in all.

mod common;

use common::write_image;
use sslinv_testkit::cli;
use std::path::Path;
use std::process::Command;

fn downstream(root: &Path, out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xtask"));
    c.args(cli!(
        "downstream --model random:resnet18:seed=0:width=0.125:stem=cifar --dataset folder \
         --resize 32 --crop 32 --folds 2 --root {} --out {}",
        root,
        out
    ));
    c
}

fn score(path: &Path) -> (f64, f64) {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    (
        v["test_score"].as_f64().unwrap(),
        v["lambda"].as_f64().unwrap(),
    )
}

#[test]
fn two_processes_racing_on_one_feature_cache_both_finish_right() {
    let dir = tempfile::tempdir().unwrap();
    let (racy, lone) = (dir.path().join("racy"), dir.path().join("lone"));
    for root in [&racy, &lone] {
        for c in 0..3 {
            for i in 0..8 {
                write_image(&root.join(format!("train/c{c}/{i}.png")), c, i);
                write_image(&root.join(format!("test/c{c}/{i}.png")), c, i + 20);
            }
        }
    }
    let alone = dir.path().join("alone.json");
    assert!(downstream(&lone, &alone).status().unwrap().success());
    for round in 0..3 {
        let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
        let mut first = downstream(&racy, &a).spawn().unwrap();
        let mut second = downstream(&racy, &b).spawn().unwrap();
        assert!(first.wait().unwrap().success(), "round {round}");
        assert!(second.wait().unwrap().success(), "round {round}");
        assert_eq!(score(&a), score(&alone), "round {round}");
        assert_eq!(score(&b), score(&alone), "round {round}");
        let cache = racy.join(".sslinv-features");
        let mut stack = vec![cache];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                if e.path().is_dir() {
                    stack.push(e.path());
                } else {
                    let name = e.file_name().to_string_lossy().into_owned();
                    assert!(!name.contains(".tmp"), "round {round}: {name} left");
                }
            }
        }
        if round == 1 {
            // The last round races on a cold cache again.
            std::fs::remove_dir_all(racy.join(".sslinv-features")).unwrap();
        }
    }
}
