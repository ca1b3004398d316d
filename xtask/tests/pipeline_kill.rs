//! `cargo xtask pipeline --preset smoke`, killed with SIGKILL at several points and started
//! again with the same arguments, ends with the same study.json as an uninterrupted run
//! (timings aside), and leaves no temporary file behind.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn pipeline(data: &Path, out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xtask"));
    c.args(["pipeline", "--preset", "smoke", "--data-root"])
        .arg(data)
        .arg("--out")
        .arg(out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    c
}

/// study.json without wall-clock times.
fn numbers(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("results/study.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["seconds"] = 0.into();
    v["timings"] = serde_json::Value::Null;
    for m in v["models"].as_array_mut().unwrap() {
        m["pretrain_seconds"] = 0.into();
    }
    v
}

fn temporaries(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if e.file_name().to_string_lossy().contains(".tmp") {
                found.push(p.display().to_string());
            }
        }
    }
    found
}

#[test]
fn a_killed_study_resumes_to_the_uninterrupted_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    sslinv_study::fixtures::tiny_data_root(&data, 24).unwrap();

    let whole = dir.path().join("whole");
    let start = Instant::now();
    assert!(pipeline(&data, &whole).status().unwrap().success());
    let full = start.elapsed();

    // Kill at fractions of an uninterrupted run's time: inside pretraining, the sweeps, the
    // probes; then let it finish.
    let killed = dir.path().join("killed");
    for fraction in [0.1, 0.35, 0.6, 0.85] {
        let mut child = pipeline(&data, &killed).spawn().unwrap();
        std::thread::sleep(Duration::from_secs_f64(full.as_secs_f64() * fraction));
        // SIGKILL: no destructor, no cleanup runs.
        child.kill().unwrap();
        child.wait().unwrap();
    }
    assert!(pipeline(&data, &killed).status().unwrap().success());
    assert_eq!(numbers(&killed), numbers(&whole));
    let left = temporaries(&killed);
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
}
