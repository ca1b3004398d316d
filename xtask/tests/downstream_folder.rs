//! `cargo xtask downstream --dataset folder` on a tiny ImageFolder of PNG and JPEG files, with
//! each protocol, and a bad folder's error naming the path.

use std::path::Path;
use std::process::{Command, Output};

use image::{Rgb, RgbImage};

const MODEL: &str = "random:resnet18:seed=0:width=0.125:stem=cifar";

/// A 32 px image of class `c`: its own colour plus a per-image pattern.
fn write(path: &Path, c: u32, i: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let img = RgbImage::from_fn(32, 32, |x, y| {
        let wave = ((x * (i + 3) + y * (c + 1)) % 17) as u8 * 4;
        Rgb([
            ((c * 50) as u8).wrapping_add(wave),
            (200 - c * 40) as u8,
            ((x + y) * 4) as u8 ^ (c * 37) as u8,
        ])
    });
    img.save(path).unwrap();
}

/// Five classes; train 4 images each (PNG), test 20 (JPEG, enough for 5-way 5-shot 15-query
/// episodes), optional val 2 each.
fn layout(root: &Path, val: bool) {
    for c in 0..5 {
        for i in 0..4 {
            write(&root.join(format!("train/class{c}/{i}.png")), c, i);
        }
        for i in 0..20 {
            write(&root.join(format!("test/class{c}/{i}.jpg")), c, i + 10);
        }
        if val {
            for i in 0..2 {
                write(&root.join(format!("val/class{c}/{i}.png")), c, i + 40);
            }
        }
    }
}

fn downstream(root: &Path, protocol: &str, out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "downstream",
            "--dataset",
            "folder",
            "--model",
            MODEL,
            "--resize",
            "32",
        ])
        .args(["--crop", "32", "--protocol", protocol, "--root"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_protocol_on_an_image_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    layout(&root, false);
    for protocol in ["linear", "knn", "fewshot"] {
        let out = dir.path().join(format!("{protocol}.json"));
        let run = downstream(&root, protocol, &out);
        assert!(
            run.status.success(),
            "{protocol}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let r = json(&out);
        let score = r["test_score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score), "{protocol}: {r}");
        assert_eq!(r["protocol"], protocol);
        assert_eq!(r["dataset"], "folder");
        match protocol {
            "linear" => assert_eq!(r["folds"], 5),
            "knn" => assert_eq!(
                (r["k"].as_u64(), r["n_train"].as_u64()),
                (Some(20), Some(20))
            ),
            _ => assert!(r["ci95"].as_f64().unwrap() >= 0.0 && r["episodes"] == 600),
        }
    }
    // With val/: the probe selects lambda on it (one fold) and refits on train + val.
    layout(&root, true);
    let out = dir.path().join("val.json");
    let run = downstream(&root, "linear", &out);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let r = json(&out);
    assert_eq!(
        (r["folds"].as_u64(), r["n_train"].as_u64()),
        (Some(1), Some(30))
    );
}

#[test]
fn a_class_without_test_images_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    layout(dir.path(), false);
    for i in 0..20 {
        std::fs::remove_file(dir.path().join(format!("test/class3/{i}.jpg"))).unwrap();
    }
    let run = downstream(dir.path(), "linear", &dir.path().join("r.json"));
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("test/class3"), "{err}");
}
