//! The runner: executes the plan's steps in order (or one step by id), skipping finished ones,
//! so a killed run resumes where it stopped.

use candle_core::Device;
use sslinv_encoders::Encoder;
use sslinv_invariance::FeatureStats;
use std::collections::HashMap;
use std::time::Instant;

use crate::data::DataContext;
use crate::error::{Result, StudyError};
use crate::io::write_json;
use crate::layout::Layout;
use crate::plan::{Plan, spec_of};
use crate::preset::Preset;
use crate::schema::Timing;
use crate::step::{Status, Step, StepKind};
use crate::steps;
use sslinv_kernels::run_pinned;

/// A study ready to run: its preset, data, output layout, device and plan.
pub struct Runner {
    /// Sizes of every stage.
    pub preset: Preset,
    /// Where the images come from.
    pub data: DataContext,
    /// Where results go.
    pub layout: Layout,
    /// Where networks run.
    pub device: Device,
    /// The steps.
    pub plan: Plan,
    /// Show progress bars.
    pub progress: bool,
    encoders: HashMap<String, Box<dyn Encoder>>,
    stats: HashMap<String, FeatureStats>,
}

/// How a step ended in one run.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Its output already existed.
    Done,
    /// It ran now.
    Ran,
    /// A dataset it needs is missing.
    MissingData,
    /// A step it needs did not finish.
    Blocked,
    /// It failed (the error, one line).
    Failed(String),
}

impl Runner {
    /// A runner for `preset` over `data`, writing under `layout`; `given` models (name, spec)
    /// replace the preset's pretrained ones.
    pub fn new(
        preset: Preset,
        data: DataContext,
        layout: Layout,
        device: Device,
        given: &[(String, String)],
    ) -> Runner {
        sslinv_heads::sequential_decompositions();
        let plan = Plan::build(&preset, given, &data, &layout);
        Runner {
            preset,
            data,
            layout,
            device,
            plan,
            progress: true,
            encoders: HashMap::new(),
            stats: HashMap::new(),
        }
    }

    /// Removes the temporaries a killed run left under the output folder.
    fn sweep_orphans(&self) {
        let n = crate::stale::remove_orphaned_temporaries(&self.layout.out);
        if n > 0 {
            eprintln!("removed {n} temporary file(s) left by a killed run");
        }
    }

    /// Runs every step that is not done, in plan order; findings and the report are always
    /// rebuilt. Returns each step's outcome.
    pub fn run(&mut self) -> Vec<(String, Outcome)> {
        self.sweep_orphans();
        let steps = self.plan.steps.clone();
        let total = steps.len();
        let mut out = Vec::with_capacity(total);
        let mut pretrained = HashMap::new();
        for (i, step) in steps.iter().enumerate() {
            let always = matches!(step.kind, StepKind::Findings | StepKind::Report);
            let status = self.plan.status(step, &self.data);
            // The first ready pretraining runs them all (several at once where the preset says).
            if matches!(step.kind, StepKind::Pretrain { .. }) && status == Status::Ready {
                pretrained.extend(self.pretrain_ready());
            }
            if let Some(o) = pretrained.remove(&step.id) {
                out.push((step.id.clone(), o));
                continue;
            }
            let outcome = match status {
                Status::Done if !always => Outcome::Done,
                Status::MissingData(_) => Outcome::MissingData,
                Status::Waiting(_) => Outcome::Blocked,
                Status::Done | Status::Ready => {
                    if self.progress {
                        println!("[{}/{total}] {}", i + 1, step.id);
                    }
                    outcome(self.execute(step))
                }
            };
            out.push((step.id.clone(), outcome));
        }
        out
    }

    /// Runs one step by id: done already is success (requeue-safe); an unfinished input is an
    /// error naming it.
    pub fn run_step(&mut self, id: &str) -> Result<Outcome> {
        self.sweep_orphans();
        let step = self
            .plan
            .step(id)
            .cloned()
            .ok_or_else(|| StudyError::UnknownStep(id.to_string()))?;
        match self.plan.status(&step, &self.data) {
            Status::Done if !matches!(step.kind, StepKind::Findings | StepKind::Report) => {
                Ok(Outcome::Done)
            }
            Status::MissingData(d) => Err(StudyError::NotReady {
                step: id.into(),
                missing: format!("datasets {}", d.join(", ")),
            }),
            Status::Waiting(w) => Err(StudyError::NotReady {
                step: id.into(),
                missing: format!("steps {}", w.join(", ")),
            }),
            _ => self.execute(&step).map(|()| Outcome::Ran),
        }
    }

    /// Runs every ready pretraining step: on a CPU `preset.pretrain.concurrent` at a time, each
    /// in a rayon pool of its share of the cores (pinned to them); otherwise one by one. The
    /// checkpoints do not depend on how many run at once. Returns each step's outcome.
    pub fn pretrain_ready(&mut self) -> HashMap<String, Outcome> {
        let cores = rayon::current_num_threads();
        let total = self.plan.steps.len();
        let ready: Vec<(usize, Step)> = self
            .plan
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| matches!(s.kind, StepKind::Pretrain { .. }))
            .filter(|(_, s)| self.plan.status(s, &self.data) == Status::Ready)
            .map(|(i, s)| (i, s.clone()))
            .collect();
        let wanted = match self.preset.pretrain.concurrent {
            0 => cores,
            n => n,
        };
        let concurrent = if self.device.is_cpu() {
            wanted.min(ready.len()).max(1)
        } else {
            1
        };
        let mut outcomes = HashMap::new();
        if concurrent == 1 {
            for (i, step) in &ready {
                if self.progress {
                    println!("[{}/{total}] {}", i + 1, step.id);
                }
                outcomes.insert(step.id.clone(), outcome(self.execute(step)));
            }
            return outcomes;
        }
        let threads = (cores / concurrent).max(1);
        let mut jobs = Vec::new();
        for (i, step) in &ready {
            let StepKind::Pretrain { model } = &step.kind else {
                continue;
            };
            match steps::pretrain::prepare(self, model) {
                Ok(job) => {
                    if self.progress {
                        println!("[{}/{total}] {}: {}", i + 1, step.id, job.describe());
                    }
                    jobs.push((step, job));
                }
                Err(e) => {
                    outcomes.insert(step.id.clone(), outcome(Err(e.in_step(&step.id))));
                }
            }
        }
        if self.progress {
            println!("  {concurrent} at a time, {threads} thread(s) each");
        }
        let queue = std::sync::Mutex::new(jobs.iter());
        let finished = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for worker in 0..concurrent {
                let (queue, finished) = (&queue, &finished);
                scope.spawn(move || {
                    loop {
                        let next = queue.lock().map(|mut q| q.next()).ok().flatten();
                        let Some((step, job)) = next else { break };
                        let start = Instant::now();
                        let result = run_pinned(threads, worker * threads, || job.run())
                            .unwrap_or_else(|e| {
                                Err(StudyError::Invalid(format!("thread pool: {e}")))
                            });
                        let seconds = start.elapsed().as_secs_f64();
                        if let Ok(mut f) = finished.lock() {
                            f.push((*step, result, seconds));
                        }
                    }
                });
            }
        });
        for (step, result, seconds) in finished.into_inner().unwrap_or_default() {
            let result = result
                .map_err(|e| e.in_step(&step.id))
                .and_then(|()| self.write_timing(&step.id, seconds));
            outcomes.insert(step.id.clone(), outcome(result));
        }
        outcomes
    }

    fn write_timing(&self, id: &str, seconds: f64) -> Result<()> {
        write_json(
            &self.layout.timing(id),
            &Timing {
                step: id.to_string(),
                seconds,
            },
        )
    }

    fn execute(&mut self, step: &Step) -> Result<()> {
        let start = Instant::now();
        let result = match &step.kind {
            StepKind::Pretrain { model } => steps::pretrain::run(self, model),
            StepKind::Stats { model } => steps::stats::run(self, model, step),
            StepKind::Synthetic { model, transform } => {
                steps::synthetic::run(self, model, *transform, step)
            }
            StepKind::Multiview { model, views } => steps::multiview::run(self, model, views, step),
            StepKind::Extrinsic { model, dataset } => {
                steps::extrinsic::run(self, model, dataset, step)
            }
            StepKind::Features {
                model,
                dataset,
                split,
            } => steps::features::run(self, model, dataset, split, step),
            StepKind::Probe { model, task } => steps::probe::run(self, model, task, step),
            StepKind::Fusion { task } => steps::fusion::run(self, task, step),
            StepKind::Findings => steps::findings::run(self, step),
            StepKind::Report => steps::report::run(self),
        };
        result.map_err(|e| e.in_step(&step.id))?;
        self.write_timing(&step.id, start.elapsed().as_secs_f64())
    }

    /// The eval preprocessing of `model` at the protocol's `resize` and `crop` (its own
    /// normalisation and resampling; fusions take their first member's).
    pub fn preprocess(
        &self,
        model: &str,
        resize: Option<u32>,
        crop: Option<u32>,
    ) -> Result<sslinv_augment::Preprocess> {
        let entry = self
            .plan
            .model(model)
            .ok_or_else(|| StudyError::Invalid(format!("no model `{model}` in the plan")))?;
        if let crate::models::ModelSource::Fused(members) = &entry.source
            && let Some(first) = members.first()
        {
            return self.preprocess(first, resize, crop);
        }
        let spec = spec_of(entry, &self.layout).unwrap_or_else(|| model.to_string());
        let spec = sslinv_encoders::ModelSpec::parse(&spec)?;
        Ok(sslinv_encoders::eval_preprocess(&spec, resize, crop)?)
    }

    /// The encoder of a single model, loaded once.
    pub fn encoder(&mut self, model: &str) -> Result<&dyn Encoder> {
        if !self.encoders.contains_key(model) {
            let entry = self
                .plan
                .model(model)
                .ok_or_else(|| StudyError::Invalid(format!("no model `{model}` in the plan")))?;
            let spec = spec_of(entry, &self.layout).ok_or_else(|| {
                StudyError::Invalid(format!(
                    "`{model}` is a fusion: it has no encoder of its own"
                ))
            })?;
            let enc = sslinv_encoders::load_encoder(&spec, &self.device)?;
            self.encoders.insert(model.to_string(), enc);
        }
        Ok(self.encoders[model].as_ref())
    }

    /// The whitening statistics of a model (the stats step's output, read once).
    pub fn stats(&mut self, model: &str) -> Result<FeatureStats> {
        if let Some(s) = self.stats.get(model) {
            return Ok(s.clone());
        }
        let s = steps::stats::load(&self.layout, model)?;
        self.stats.insert(model.to_string(), s.clone());
        Ok(s)
    }
}

/// A step's outcome from its result, its error printed.
fn outcome(result: Result<()>) -> Outcome {
    match result {
        Ok(()) => Outcome::Ran,
        Err(e) => {
            eprintln!("  failed: {e}");
            Outcome::Failed(error_chain(&e))
        }
    }
}

/// An error and its causes on one line.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let text = c.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        cur = c.source();
    }
    s
}
