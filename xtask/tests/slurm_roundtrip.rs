//! The smoke study through a real Slurm: `pipeline --emit slurm`, `submit.sh`, the job arrays
//! run by slurmd, and the study.json they leave equals a local run's (timings aside).
//!
//! Opt-in (`SSLINV_SLURM=1`): it starts a single-node cluster on this machine with
//! `scripts/slurm/local_cluster.sh` (root, Debian/Ubuntu; installs slurm-wlm and munge if
//! missing). Without the flag it says so on stderr and passes.

mod common;

use common::{json_diff, output, study_numbers};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Longest wait for the submitted jobs (the smoke study takes minutes on 2 cores).
const TIMEOUT: Duration = Duration::from_secs(45 * 60);

fn xtask() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
}

fn smoke(data: &Path, out: &Path) -> Command {
    let mut c = xtask();
    c.args(["pipeline", "--preset", "smoke", "--data-root"])
        .arg(data)
        .arg("--out")
        .arg(out);
    c
}

/// Each array task's id and state, as `scontrol` still remembers finished jobs.
fn job_states(jobs: &[String]) -> Vec<(String, String)> {
    let mut states = Vec::new();
    for job in jobs {
        let text = output(Command::new("scontrol").args(["show", "job", "-o", job]));
        states.extend(text.lines().map(|l| {
            let field = |k: &str| {
                l.split_whitespace()
                    .find_map(|w| w.strip_prefix(k))
                    .unwrap_or("?")
                    .to_string()
            };
            (
                format!("{}_{}", field("ArrayJobId="), field("ArrayTaskId=")),
                field("JobState="),
            )
        }));
    }
    states
}

fn logs(dir: &Path) -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("logs/steps"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(5).collect();
            format!(
                "== {}\n{}",
                p.display(),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_smoke_study_through_slurm_equals_a_local_run() {
    if std::env::var("SSLINV_SLURM").as_deref() != Ok("1") {
        eprintln!(
            "slurm_roundtrip: SKIPPED: set SSLINV_SLURM=1 to submit the smoke study to a real \
             Slurm (it starts a single-node cluster with scripts/slurm/local_cluster.sh, which \
             needs root and apt)"
        );
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/slurm/local_cluster.sh");
    output(Command::new("bash").arg(script));

    let dir = tempfile::tempdir().unwrap();
    let data = sslinv_study::fixtures::tiny_data_in(dir.path(), 24).unwrap();

    let local = dir.path().join("local");
    let start = Instant::now();
    // The tasks below get one CPU each, so one thread: the local run uses as many.
    output(smoke(&data, &local).env("RAYON_NUM_THREADS", "1"));
    eprintln!("local run: {:.0} s", start.elapsed().as_secs_f64());

    let out = dir.path().join("slurm-out");
    let sub = dir.path().join("slurm");
    output(smoke(&data, &out).arg("--emit").arg("slurm").arg(&sub));
    let start = Instant::now();
    // One CPU per task, so this 2-CPU node runs two tasks at once.
    eprint!(
        "{}",
        output(
            Command::new("bash")
                .arg(sub.join("submit.sh"))
                .arg("--cpus-per-task=1")
        )
    );
    let jobs: Vec<String> = std::fs::read_to_string(sub.join("jobs.txt"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert!(!jobs.is_empty(), "submit.sh submitted nothing");
    loop {
        // The whole queue, filtered here: `squeue -j` fails on jobs Slurm already forgot.
        let queue = output(Command::new("squeue").args(["-h", "-o", "%F %i %T"]));
        let queued: Vec<&str> = queue
            .lines()
            .filter(|l| jobs.iter().any(|j| l.split(' ').next() == Some(j.as_str())))
            .collect();
        if queued.is_empty() {
            break;
        }
        assert!(
            start.elapsed() < TIMEOUT,
            "jobs still queued after {TIMEOUT:?}:\n{}\n{}",
            queued.join("\n"),
            logs(&sub)
        );
        std::thread::sleep(Duration::from_secs(5));
    }
    eprintln!("through slurm: {:.0} s", start.elapsed().as_secs_f64());
    let states = job_states(&jobs);
    eprintln!("{} array tasks", states.len());
    let bad: Vec<_> = states.iter().filter(|(_, s)| s != "COMPLETED").collect();
    assert!(
        bad.is_empty(),
        "jobs not completed: {bad:?}\n{}",
        logs(&sub)
    );
    let diff = json_diff(&study_numbers(&out), &study_numbers(&local), 30);
    assert!(diff.is_empty(), "study.json differs:\n{}", diff.join("\n"));
}
