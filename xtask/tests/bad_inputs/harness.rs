//! One bad-input case: the command line, what the run must say, and the checks every run gets
//! (exit status that is not a panic, a message naming the file and the problem, no hang, no
//! output or temporary file at `--out`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sslinv_testkit::cli;

/// The longest a case may run before it counts as a hang (debug build, 2 busy cores).
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// What a case must end with.
pub enum Expect {
    /// Fails cleanly; stderr holds every string of `names` (the file, key or argument) and
    /// `problem` (case-insensitive), the words naming what is wrong.
    Fails {
        names: Vec<String>,
        problem: &'static str,
    },
    /// Succeeds and writes `--out`; `check` looks at what was written.
    Succeeds {
        check: fn(&Path) -> Result<(), String>,
    },
}

/// One command line over inputs written into `dir`.
pub struct Case {
    pub name: &'static str,
    pub args: Vec<OsString>,
    pub expect: Expect,
    /// The output path (`dir/out/...`): must not appear when the case fails.
    pub out: PathBuf,
}

/// A folder of its own for one case's inputs (`dir/in`) and outputs (`dir/out`).
pub struct CaseDir {
    pub input: PathBuf,
    pub out: PathBuf,
}

impl CaseDir {
    pub fn new(root: &Path, name: &str) -> CaseDir {
        let d = root.join(name);
        let input = d.join("in");
        std::fs::create_dir_all(&input).unwrap();
        CaseDir {
            input,
            out: d.join("out"),
        }
    }

    /// `in/<rel>`, parents created.
    pub fn file(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let p = self.input.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// `out/<rel>` (not created).
    pub fn out(&self, rel: &str) -> PathBuf {
        self.out.join(rel)
    }
}

/// Builds a failing case.
pub fn fails(
    name: &'static str,
    args: Vec<OsString>,
    out: PathBuf,
    names: &[&str],
    problem: &'static str,
) -> Case {
    Case {
        name,
        args,
        out,
        expect: Expect::Fails {
            names: names.iter().map(|s| s.to_string()).collect(),
            problem,
        },
    }
}

/// Adds a case that must fail, in a folder of its own named after it: `make` writes its inputs
/// and returns the command line and the `--out` path that must not appear.
pub fn push_fails(
    v: &mut Vec<Case>,
    root: &Path,
    name: &'static str,
    names: &[&str],
    problem: &'static str,
    make: impl FnOnce(&CaseDir) -> (Vec<OsString>, PathBuf),
) {
    let folder = name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_");
    let (args, out) = make(&CaseDir::new(root, &folder));
    v.push(fails(name, args, out, names, problem));
}

/// `features` of the folder `images` under `model` at 32 px, writing `out`.
pub fn features_args(model: &str, images: &Path, out: &Path) -> Vec<OsString> {
    cli!(
        "features --model {} --images {} --resize 32 --crop 32 --out {}",
        model,
        images,
        out
    )
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                found.push(e.path().display().to_string());
            }
        }
    }
    found
}

/// Runs one case; `Err` says what went wrong.
fn run_one(case: &Case) -> Result<(), String> {
    let logs = case.out.parent().unwrap().parent().unwrap().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let (stdout, stderr) = (logs.join("stdout"), logs.join("stderr"));
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(&case.args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > TIME_LIMIT {
            child.kill().unwrap();
            child.wait().unwrap();
            return Err(format!("still running after {TIME_LIMIT:?} (killed)"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let err = std::fs::read_to_string(&stderr).unwrap_or_default();
    // Shown with --nocapture: the corpus's messages, to read them all at once.
    eprintln!(
        "[{}] {:.1}s {}",
        case.name,
        start.elapsed().as_secs_f64(),
        err.trim_end().lines().last().unwrap_or("")
    );
    let out_dir = case.out.parent().unwrap();
    match &case.expect {
        Expect::Fails { names, problem } => {
            match status.code() {
                None => return Err(format!("killed by a signal ({status}); stderr: {err}")),
                Some(0) => return Err("exit status 0 on bad input".into()),
                Some(101) => return Err(format!("exit status 101 (a panic): {err}")),
                Some(_) => {}
            }
            if err.contains("panicked") {
                return Err(format!("panicked: {err}"));
            }
            for n in names {
                if !err.contains(n.as_str()) {
                    return Err(format!("stderr does not name `{n}`: {err}"));
                }
            }
            if !err.to_lowercase().contains(&problem.to_lowercase()) {
                return Err(format!("stderr does not say `{problem}`: {err}"));
            }
            let left = files_under(out_dir);
            if !left.is_empty() {
                return Err(format!("files left at --out: {left:?}"));
            }
        }
        Expect::Succeeds { check } => {
            if !status.success() {
                return Err(format!("failed ({status}) where it should succeed: {err}"));
            }
            check(&case.out)?;
            let tmp: Vec<_> = files_under(out_dir)
                .into_iter()
                .filter(|f| {
                    Path::new(f)
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .contains(".tmp")
                })
                .collect();
            if !tmp.is_empty() {
                return Err(format!("temporary files left: {tmp:?}"));
            }
        }
    }
    Ok(())
}

/// Runs every case, two at a time, and panics with the list of those that went wrong.
pub fn run_all(category: &str, cases: Vec<Case>) {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(case) = cases.get(i) else { break };
                    if let Err(why) = run_one(case) {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("{}: {why}", case.name));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    eprintln!(
        "{category}: {} cases, {} wrong",
        cases.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{category}: {} of {} cases wrong:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n---\n")
    );
}
