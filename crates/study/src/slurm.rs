//! A Slurm submission of a plan: one job array per kind of step, each array after the previous
//! ones (`afterok`), each task running one step by id and logging to a file named after it.
//! Requeue-safe: a task whose result exists exits 0, and no two steps write the same file.

use std::fmt::Write;
use std::path::Path;

use crate::data::DataContext;
use crate::error::{Result, StudyError};
use crate::io::write_atomic;
use crate::plan::Plan;
use crate::step::{Status, StepKind};

/// How the submission runs each step.
#[derive(Debug, Clone)]
pub struct SlurmOptions {
    /// The command that runs one step once `--device D --step ID` is appended: an absolute path
    /// to the binary (on a file system the compute nodes share) with the plan's preset, data
    /// root, output folder and models.
    pub command: String,
    /// The device of network steps (`cpu` or `cuda`); with `cuda` they ask for one GPU
    /// (`--gres=gpu:1`). Steps that run no network always run on the CPU.
    pub device: String,
    /// CPUs per task (`--cpus-per-task`, also the task's thread count).
    pub cpus: usize,
}

/// One stage of a submission: the steps of one kind that are left to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// The kind of its steps (`pretrain`, `synthetic`, ...), also its file names.
    pub kind: &'static str,
    /// The step ids, one per array task.
    pub steps: Vec<String>,
    /// Whether its tasks ask for a GPU.
    pub gpu: bool,
}

/// Single-quotes `s` for the shell.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The command every task runs: `exe pipeline` with the same preset, output, data root and
/// given models, paths made absolute (tasks start in another directory).
pub fn pipeline_command(
    exe: &Path,
    preset: &str,
    out: &Path,
    source: &crate::Source,
    models: &[String],
) -> Result<String> {
    let absolute = |p: &Path| {
        std::path::absolute(p)
            .map(|a| a.display().to_string())
            .map_err(|source| StudyError::Io {
                path: p.to_path_buf(),
                source,
            })
    };
    let preset_arg = match std::path::absolute(preset) {
        Ok(p) if p.exists() => p.display().to_string(),
        _ => preset.to_string(),
    };
    let (crate::Source::Root { root, .. } | crate::Source::Synth3d { cache: root }) = source;
    let mut words = vec![
        exe.display().to_string(),
        "pipeline".into(),
        "--preset".into(),
        preset_arg,
        "--out".into(),
        absolute(out)?,
        "--data-root".into(),
        absolute(root)?,
    ];
    if !models.is_empty() {
        words.extend(["--models".into(), models.join(",")]);
    }
    Ok(shell_words(&words))
}

/// A command line from its words, each quoted for the shell.
pub fn shell_words<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .map(|w| quote(w.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The steps left to run, grouped by kind in plan order. Done steps are left out (findings and
/// the report are always rebuilt), and so are steps whose data is missing and the steps after
/// them, as a local run skips them: a task that cannot succeed would cancel every later stage.
pub fn stages(plan: &Plan, data: &DataContext, gpus: bool) -> Vec<Stage> {
    let mut submitted: Vec<&str> = Vec::new();
    let mut stages: Vec<Stage> = Vec::new();
    for step in &plan.steps {
        let always = matches!(step.kind, StepKind::Findings | StepKind::Report);
        let run = match plan.status(step, data) {
            Status::Done => always,
            Status::MissingData(_) => false,
            Status::Ready => true,
            Status::Waiting(w) => w.iter().all(|id| submitted.contains(&id.as_str())),
        };
        if !run {
            continue;
        }
        submitted.push(&step.id);
        let kind = step.kind.name();
        match stages.iter_mut().find(|s| s.kind == kind) {
            Some(s) => s.steps.push(step.id.clone()),
            None => stages.push(Stage {
                kind,
                steps: vec![step.id.clone()],
                gpu: gpus && step.kind.wants_gpu(),
            }),
        }
    }
    stages
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StudyError + '_ {
    move |source| StudyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The batch script of one stage: array task i runs line i of `steps/<kind>.txt`.
fn job_script(stage: &Stage, dir: &Path, opts: &SlurmOptions) -> String {
    let kind = stage.kind;
    let logs = dir.join("logs");
    let mut job = String::new();
    let _ = writeln!(job, "#!/usr/bin/env bash");
    let _ = writeln!(job, "#SBATCH --job-name=sslinv-{kind}");
    let _ = writeln!(job, "#SBATCH --array=1-{}", stage.steps.len());
    let _ = writeln!(job, "#SBATCH --cpus-per-task={}", opts.cpus.max(1));
    let _ = writeln!(job, "#SBATCH --output={}/{kind}-%A_%a.out", logs.display());
    // A requeued task appends to its log and finds its finished steps done.
    let _ = writeln!(job, "#SBATCH --open-mode=append");
    let _ = writeln!(job, "#SBATCH --requeue");
    if stage.gpu {
        let _ = writeln!(job, "#SBATCH --gres=gpu:1");
    }
    let steps = dir.join("steps").join(format!("{kind}.txt"));
    let _ = writeln!(job, "set -euo pipefail");
    let _ = writeln!(
        job,
        "id=$(sed -n \"${{SLURM_ARRAY_TASK_ID}}p\" {})",
        quote(&steps.display().to_string())
    );
    let _ = writeln!(
        job,
        "[ -n \"$id\" ] || {{ echo \"no step on line $SLURM_ARRAY_TASK_ID\" >&2; exit 1; }}"
    );
    // No CPU binding is assumed (task/none): the thread pools take what the task was given.
    let _ = writeln!(job, "export RAYON_NUM_THREADS=${{SLURM_CPUS_PER_TASK:-1}}");
    let _ = writeln!(
        job,
        "log={}/\"${{id//\\//.}}.log\"",
        quote(&logs.join("steps").display().to_string())
    );
    let _ = writeln!(
        job,
        "echo \"$(date -Is) step $id: job ${{SLURM_ARRAY_JOB_ID}}_${{SLURM_ARRAY_TASK_ID}} on $(hostname), log $log\" | tee -a \"$log\""
    );
    let device = if stage.gpu {
        opts.device.as_str()
    } else {
        "cpu"
    };
    let _ = writeln!(
        job,
        "{} --device {device} --step \"$id\" 2>&1 | tee -a \"$log\"",
        opts.command
    );
    job
}

/// Writes `DIR/submit.sh`, one `DIR/<kind>.sbatch` and `DIR/steps/<kind>.txt` per stage, and
/// the folders `DIR/logs` (one file per array task) and `DIR/logs/steps` (one file per step);
/// returns the stages in submission order (none when every step is done).
pub fn emit(
    plan: &Plan,
    data: &DataContext,
    dir: &Path,
    opts: &SlurmOptions,
) -> Result<Vec<Stage>> {
    let stages = stages(plan, data, opts.device == "cuda");
    let abs = std::path::absolute(dir).map_err(io_err(dir))?;
    let step_logs = abs.join("logs").join("steps");
    std::fs::create_dir_all(&step_logs).map_err(io_err(&step_logs))?;
    let mut submit = String::from(
        "#!/usr/bin/env bash\n\
         # Submits the study: one job array per stage, each after the previous ones (afterok).\n\
         # Arguments go to every sbatch (they override the scripts' #SBATCH lines), e.g.\n\
         #   ./submit.sh --partition=gpu --account=me --time=12:00:00\n\
         # Job ids are printed and written to jobs.txt.\n\
         set -euo pipefail\ncd \"$(dirname \"$0\")\"\n: > jobs.txt\ndeps=\"\"\n",
    );
    for stage in &stages {
        let kind = stage.kind;
        write_atomic(
            &abs.join("steps").join(format!("{kind}.txt")),
            (stage.steps.join("\n") + "\n").as_bytes(),
        )?;
        write_atomic(
            &abs.join(format!("{kind}.sbatch")),
            job_script(stage, &abs, opts).as_bytes(),
        )?;
        let _ = writeln!(
            submit,
            "id=$(sbatch --parsable --kill-on-invalid-dep=yes ${{deps:+--dependency=afterok$deps}} \"$@\" {kind}.sbatch)\n\
             id=${{id%%;*}}\necho \"$id\" >> jobs.txt\n\
             echo \"{kind}: job $id ({} tasks)\"\ndeps=\"$deps:$id\"",
            stage.steps.len()
        );
    }
    if stages.is_empty() {
        submit.push_str("echo \"every step is done: nothing to submit\"\n");
    } else {
        let _ = writeln!(
            submit,
            "echo \"watch: squeue -j $(paste -sd, jobs.txt); logs: {}\"",
            abs.join("logs").display()
        );
    }
    let path = abs.join("submit.sh");
    write_atomic(&path, submit.as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .map_err(io_err(&path))?;
    }
    Ok(stages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Preset, Source, prepare};

    /// The smoke preset's runner over the data root `data`, writing under `dir/out`.
    fn smoke_runner(dir: &std::path::Path, data: std::path::PathBuf) -> crate::Runner {
        let preset = Preset::load("smoke").unwrap();
        let source = Source::Root {
            root: data,
            fetch: false,
        };
        let (runner, _) = prepare(
            &preset,
            &source,
            &dir.join("out"),
            candle_core::Device::Cpu,
            &[],
            true,
        )
        .unwrap();
        runner
    }

    #[test]
    fn one_array_per_stage_chained_by_afterok() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::fixtures::tiny_data_in(dir.path(), 2).unwrap();
        let runner = smoke_runner(dir.path(), data);
        let opts = SlurmOptions {
            command: "/bin/xtask pipeline --preset smoke".into(),
            device: "cuda".into(),
            cpus: 4,
        };
        let stages = emit(&runner.plan, &runner.data, &dir.path().join("slurm"), &opts).unwrap();
        let kinds: Vec<&str> = stages.iter().map(|s| s.kind).collect();
        assert_eq!(kinds.first(), Some(&"pretrain"));
        assert_eq!(kinds.last(), Some(&"report"));
        let submit = std::fs::read_to_string(dir.path().join("slurm/submit.sh")).unwrap();
        assert_eq!(submit.matches("sbatch --parsable").count(), stages.len());
        let synthetic = std::fs::read_to_string(dir.path().join("slurm/synthetic.sbatch")).unwrap();
        assert!(synthetic.contains("#SBATCH --array=1-24") && synthetic.contains("--gres=gpu:1"));
        assert!(synthetic.contains("--device cuda --step \"$id\""));
        let probe = std::fs::read_to_string(dir.path().join("slurm/probe.sbatch")).unwrap();
        assert!(!probe.contains("gres"), "probes need no GPU");
        assert!(
            probe.contains("--device cpu --step"),
            "probes run on the CPU"
        );
        let ids = std::fs::read_to_string(dir.path().join("slurm/steps/synthetic.txt")).unwrap();
        assert_eq!(ids.lines().count(), 24);
        assert!(ids.lines().all(|id| runner.plan.step(id).is_some()));
        // Tasks of one array run at once: every input must come from an earlier stage.
        let stage_of = |id: &str| {
            let kind = runner.plan.step(id).unwrap().kind.name();
            kinds.iter().position(|s| *s == kind).unwrap()
        };
        // (Findings and the report also list steps left out for missing data: those never run.)
        let submitted: Vec<&String> = stages.iter().flat_map(|s| &s.steps).collect();
        for stage in &stages {
            for id in &stage.steps {
                let after = &runner.plan.step(id).unwrap().after;
                for input in after.iter().filter(|i| submitted.contains(i)) {
                    assert!(
                        stage_of(input) < stage_of(id),
                        "{id} reads {input} of the same or a later stage"
                    );
                }
            }
        }
        // No two steps write the same file.
        let mut outputs: Vec<_> = runner.plan.steps.iter().flat_map(|s| &s.outputs).collect();
        let n = outputs.len();
        outputs.sort();
        outputs.dedup();
        assert_eq!(outputs.len(), n, "two steps share an output");
    }

    #[test]
    fn missing_data_and_what_follows_it_are_not_submitted() {
        let dir = tempfile::tempdir().unwrap();
        // An empty data root: nothing can pretrain, so only findings and the report are left.
        let runner = smoke_runner(dir.path(), dir.path().join("data"));
        let kinds: Vec<&str> = stages(&runner.plan, &runner.data, false)
            .iter()
            .map(|s| s.kind)
            .collect();
        assert!(!kinds.contains(&"pretrain") && !kinds.contains(&"synthetic"));
        assert_eq!(kinds.last(), Some(&"report"));
    }
}
