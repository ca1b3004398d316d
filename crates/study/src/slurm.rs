//! A Slurm submission of a plan: one job array per kind of step, each array after the previous
//! ones (`afterok`), each task running one step by id. Requeue-safe: a task whose result exists
//! exits 0, and no two steps write the same file.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::error::{Result, StudyError};
use crate::io::write_atomic;
use crate::plan::Plan;

/// How the submission runs each step.
#[derive(Debug, Clone)]
pub struct SlurmOptions {
    /// The command that runs one step when `--step ID` is appended (the installed binary with
    /// the same preset, data root, output folder and models as the plan).
    pub command: String,
    /// Whether steps that run networks ask for a GPU (`--gres=gpu:1`).
    pub gpus: bool,
    /// CPUs per task.
    pub cpus: usize,
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Writes `DIR/submit.sh`, one `DIR/<stage>.sbatch` and `DIR/steps/<stage>.txt` per stage;
/// returns the stages in submission order.
pub fn emit(plan: &Plan, dir: &Path, opts: &SlurmOptions) -> Result<Vec<String>> {
    let mut stages: Vec<(&'static str, Vec<String>, bool)> = Vec::new();
    for step in &plan.steps {
        let kind = step.kind.name();
        match stages.iter_mut().find(|(k, _, _)| *k == kind) {
            Some((_, ids, _)) => ids.push(step.id.clone()),
            None => stages.push((kind, vec![step.id.clone()], step.kind.wants_gpu())),
        }
    }
    let abs = std::path::absolute(dir).map_err(|source| StudyError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let logs: PathBuf = abs.join("logs");
    std::fs::create_dir_all(&logs).map_err(|source| StudyError::Io {
        path: logs.clone(),
        source,
    })?;
    let mut submit = String::from(
        "#!/usr/bin/env bash\n# Submits the study: one job array per stage, each after the previous ones.\nset -euo pipefail\ncd \"$(dirname \"$0\")\"\ndeps=\"\"\n",
    );
    for (kind, ids, gpu) in &stages {
        write_atomic(
            &abs.join("steps").join(format!("{kind}.txt")),
            (ids.join("\n") + "\n").as_bytes(),
        )?;
        let mut job = String::new();
        let _ = writeln!(job, "#!/usr/bin/env bash");
        let _ = writeln!(job, "#SBATCH --job-name=sslinv-{kind}");
        let _ = writeln!(job, "#SBATCH --array=1-{}", ids.len());
        let _ = writeln!(job, "#SBATCH --cpus-per-task={}", opts.cpus.max(1));
        let _ = writeln!(job, "#SBATCH --output={}/{kind}-%A_%a.out", logs.display());
        if *gpu && opts.gpus {
            let _ = writeln!(job, "#SBATCH --gres=gpu:1");
        }
        let _ = writeln!(job, "set -euo pipefail");
        let _ = writeln!(
            job,
            "id=$(sed -n \"${{SLURM_ARRAY_TASK_ID}}p\" {})",
            quote(
                &abs.join("steps")
                    .join(format!("{kind}.txt"))
                    .display()
                    .to_string()
            )
        );
        let _ = writeln!(job, "exec {} --step \"$id\"", opts.command);
        write_atomic(&abs.join(format!("{kind}.sbatch")), job.as_bytes())?;
        let _ = writeln!(
            submit,
            "id=$(sbatch --parsable --kill-on-invalid-dep=yes ${{deps:+--dependency=afterok$deps}} {kind}.sbatch)\nid=${{id%%;*}}\necho \"{kind}: job $id ({} tasks)\"\ndeps=\"$deps:$id\"",
            ids.len()
        );
    }
    let path = abs.join("submit.sh");
    write_atomic(&path, submit.as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755));
    }
    Ok(stages.iter().map(|(k, _, _)| k.to_string()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Preset, Source, prepare};

    #[test]
    fn one_array_per_stage_chained_by_afterok() {
        let dir = tempfile::tempdir().unwrap();
        let preset = Preset::load("smoke").unwrap();
        let source = Source::Root {
            root: dir.path().join("data"),
            fetch: false,
        };
        let (runner, _) = prepare(
            &preset,
            &source,
            &dir.path().join("out"),
            candle_core::Device::Cpu,
            &[],
            true,
        )
        .unwrap();
        let opts = SlurmOptions {
            command: "xtask pipeline --preset smoke".into(),
            gpus: true,
            cpus: 4,
        };
        let stages = emit(&runner.plan, &dir.path().join("slurm"), &opts).unwrap();
        assert_eq!(stages.first().map(String::as_str), Some("pretrain"));
        assert_eq!(stages.last().map(String::as_str), Some("report"));
        let submit = std::fs::read_to_string(dir.path().join("slurm/submit.sh")).unwrap();
        assert_eq!(submit.matches("sbatch --parsable").count(), stages.len());
        let synthetic = std::fs::read_to_string(dir.path().join("slurm/synthetic.sbatch")).unwrap();
        assert!(synthetic.contains("#SBATCH --array=1-24") && synthetic.contains("--gres=gpu:1"));
        let probe = std::fs::read_to_string(dir.path().join("slurm/probe.sbatch")).unwrap();
        assert!(!probe.contains("gres"), "probes need no GPU");
        let ids = std::fs::read_to_string(dir.path().join("slurm/steps/synthetic.txt")).unwrap();
        assert_eq!(ids.lines().count(), 24);
        assert!(ids.lines().all(|id| runner.plan.step(id).is_some()));
        // Tasks of one array run at once: every input must come from an earlier stage.
        let stage_of = |id: &str| {
            let kind = runner.plan.step(id).unwrap().kind.name();
            stages.iter().position(|s| s == kind).unwrap()
        };
        for step in &runner.plan.steps {
            for input in &step.after {
                assert!(
                    stage_of(input) < stage_of(&step.id),
                    "{} reads {input} of the same or a later stage",
                    step.id
                );
            }
        }
    }
}
