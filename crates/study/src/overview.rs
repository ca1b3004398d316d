//! What a user reads about a plan and a run: the steps as JSON (`--list-steps`), the plan with
//! each step's status (`--dry-run`), and the summary of a whole run with its findings.

use crate::data::root::{DataStatus, how_to_get};
use crate::error::{Result, StudyError};
use crate::runner::{Outcome, Runner};
use crate::step::Status;

impl Runner {
    /// Every step (id, kind, inputs, outputs, data) with its status, as `--list-steps` prints.
    pub fn steps_json(&self) -> serde_json::Value {
        let rows = self
            .plan
            .steps
            .iter()
            .map(|s| {
                let mut v = serde_json::to_value(s).unwrap_or_default();
                v["status"] =
                    serde_json::to_value(self.plan.status(s, &self.data)).unwrap_or_default();
                v
            })
            .collect();
        serde_json::Value::Array(rows)
    }

    /// The data survey and the plan, a line per step with its status.
    pub fn plan_table(&self, survey: &[DataStatus]) -> String {
        let mut out = String::new();
        for s in survey {
            let state = if s.present { "present" } else { "MISSING" };
            out.push_str(&format!("  {:22} {state:8} {}\n", s.name, s.detail));
        }
        out.push_str(&format!(
            "plan ({} steps, preset `{}`):\n",
            self.plan.steps.len(),
            self.preset.name
        ));
        for s in &self.plan.steps {
            let status = match self.plan.status(s, &self.data) {
                Status::Done => "done".to_string(),
                Status::Ready => "to run".to_string(),
                Status::Waiting(w) => format!("after {} step(s)", w.len()),
                Status::MissingData(m) => format!("missing data: {}", m.join(", ")),
            };
            out.push_str(&format!("  {:48} {status}\n", s.id));
        }
        out
    }

    /// Runs every step, then reads the study back: the summary a user reads (outcome counts,
    /// the findings, where the results and report are), or an error naming the failed steps.
    pub fn run_to_end(&mut self, survey: &[DataStatus]) -> Result<String> {
        for s in survey.iter().filter(|s| !s.present) {
            eprintln!(
                "missing `{}` (its steps are skipped): {}",
                s.name,
                how_to_get(&s.name)
            );
        }
        let outcomes = self.run();
        let count = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|(_, o)| f(o)).count();
        let mut out = format!(
            "steps: {} ran, {} already done, {} missing data, {} blocked, {} failed\n",
            count(|o| *o == Outcome::Ran),
            count(|o| *o == Outcome::Done),
            count(|o| *o == Outcome::MissingData),
            count(|o| *o == Outcome::Blocked),
            count(|o| matches!(o, Outcome::Failed(_)))
        );
        let results = self.layout.results.clone();
        let study = crate::report::read_study(&results)?;
        if study.smoke {
            out.push_str(&format!("{}\n", crate::report::SMOKE_NOTE));
        }
        for f in &study.findings {
            out.push_str(&format!(
                "  [{}] {} ({})\n",
                f.verdict.label(),
                f.claim,
                f.detail
            ));
        }
        out.push_str(&format!(
            "results in {}, report in {}",
            results.join(crate::report::STUDY_FILE).display(),
            self.layout.report.join("index.html").display()
        ));
        let failed: Vec<&str> = outcomes
            .iter()
            .filter_map(|(id, o)| matches!(o, Outcome::Failed(_)).then_some(id.as_str()))
            .collect();
        if !failed.is_empty() {
            println!("{out}");
            return Err(StudyError::Invalid(format!(
                "{} step(s) failed ({}); rerun to retry them",
                failed.len(),
                failed.join(", ")
            )));
        }
        Ok(out)
    }
}

/// `NAME=SPEC` pairs given on the command line (`--models`); names must be unique and free of
/// `+` and `/` (they name result files and fusions).
pub fn parse_given_models(items: &[String]) -> Result<Vec<(String, String)>> {
    let bad = |m: String| Err(StudyError::Invalid(m));
    let mut out: Vec<(String, String)> = Vec::new();
    for item in items.iter().filter(|s| !s.trim().is_empty()) {
        let Some((name, spec)) = item.split_once('=') else {
            return bad(format!("`--models {item}`: expected NAME=SPEC"));
        };
        let (name, spec) = (name.trim(), spec.trim());
        if name.is_empty() || spec.is_empty() || name.contains(['+', '/', '\\']) {
            return bad(format!(
                "`--models {item}`: a plain NAME (no `+` or `/`) and a SPEC are needed"
            ));
        }
        if out.iter().any(|(n, _)| n == name) {
            return bad(format!("`--models`: `{name}` given twice"));
        }
        out.push((name.to_string(), spec.to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_parse_and_bad_ones_are_refused() {
        let m = parse_given_models(&["a=torchvision/resnet50".into(), "b=resnet18:x.pth".into()])
            .unwrap();
        assert_eq!(m[1], ("b".to_string(), "resnet18:x.pth".to_string()));
        assert!(parse_given_models(&["nospec".into()]).is_err());
        assert!(parse_given_models(&["a+b=x".into()]).is_err());
        assert!(parse_given_models(&["a=x".into(), "a=y".into()]).is_err());
    }
}
