//! The study as a library: a plan of resumable steps (pretrain, stats, synthetic sweeps,
//! multi-view, extrinsic, features, probes, fusion ranking, findings, report) over synth3d or
//! the paper's datasets under a data root. Presets are TOML files (`presets/`); every step
//! writes one result file atomically and is skipped when it exists, so a killed run resumes.
//!
//! ```no_run
//! use sslinv_study::{Preset, Source, prepare};
//! let preset = Preset::load("demo-quick")?;
//! let mut runner = prepare(&preset, &Source::Synth3d { cache: "data/synth3d".into() },
//!     "out/demo".as_ref(), candle_core::Device::Cpu, &[], false)?.0;
//! for (step, outcome) in runner.run() {
//!     println!("{step}: {outcome:?}");
//! }
//! # Ok::<(), sslinv_study::StudyError>(())
//! ```

#![warn(missing_docs)]

pub mod commands;
pub mod data;
mod error;
pub mod fixtures;
mod gather;
mod interval;
mod io;
mod layout;
mod models;
mod overview;
mod plan;
mod preset;
mod preset_load;
pub mod report;
mod runner;
mod schema;
mod slurm;
mod stale;
mod step;
pub mod steps;
mod subset;
mod tasks;

pub use data::DataContext;
pub use data::root::{DataStatus, how_to_get};
pub use error::{Result, StudyError, check_rows};
pub use gather::gather;
pub use interval::{bootstrap_mean, separated};
pub use io::{read_json, write_atomic, write_json};
pub use layout::Layout;
pub use models::{ModelEntry, ModelSource, RANDOM, Role, SUPERVISED, random_spec};
pub use overview::parse_given_models;
pub use plan::{Plan, is_done, step_id};
pub use preset::{
    BaselinePreset, DataPreset, EvalPreset, FusionPreset, InvariancePreset, ModelPreset, Preset,
    PretrainPreset, ProbePreset, SourceKind,
};
pub use preset_load::BUILTIN;
pub use runner::{Outcome, Runner, error_chain};
pub use schema::*;
pub use slurm::{SlurmOptions, Stage, emit, pipeline_command, shell_words, stages};
pub use step::{Status, Step, StepKind};
pub use subset::subset;
pub use tasks::TaskDef;

use candle_core::Device;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where a study's data lives.
#[derive(Debug, Clone)]
pub enum Source {
    /// synth3d, rendered into (and cached under) `cache`.
    Synth3d {
        /// The render cache folder.
        cache: PathBuf,
    },
    /// The paper's datasets under `root`.
    Root {
        /// The data root.
        root: PathBuf,
        /// Download absent datasets that have a Hub copy.
        fetch: bool,
    },
}

/// A runner for `preset` over `source`, writing under `out`; `given` models (name, spec)
/// replace the preset's pretrained ones. Also returns the survey of a data root (empty on
/// synth3d). With `dry` nothing is fetched.
pub fn prepare(
    preset: &Preset,
    source: &Source,
    out: &Path,
    device: Device,
    given: &[(String, String)],
    dry: bool,
) -> Result<(Runner, Vec<DataStatus>)> {
    let layout = Layout::new(out);
    let (data, survey) = match (source, preset.synth3d()) {
        (Source::Synth3d { cache }, Some(config)) => (
            DataContext::Synth3d {
                config,
                cache: cache.clone(),
                data: OnceLock::new(),
            },
            Vec::new(),
        ),
        (Source::Root { root, fetch }, None) => {
            let probe = Runner::new(
                preset.clone(),
                DataContext::Root {
                    root: root.clone(),
                    present: BTreeSet::new(),
                    pretrain_on_val: preset.data.pretrain_on_val,
                },
                layout.clone(),
                device.clone(),
                given,
            );
            let mut needed: BTreeSet<String> = probe
                .plan
                .steps
                .iter()
                .flat_map(|s| s.data.clone())
                .collect();
            needed.insert(data::root::IMAGENET_TRAIN.to_string());
            let needed: Vec<String> = needed.into_iter().collect();
            let survey = data::root::survey(root, &needed, *fetch && !dry);
            let present = survey
                .iter()
                .filter(|s| s.present)
                .map(|s| s.name.clone())
                .collect();
            (
                DataContext::Root {
                    root: root.clone(),
                    present,
                    pretrain_on_val: preset.data.pretrain_on_val,
                },
                survey,
            )
        }
        (Source::Synth3d { .. }, None) => {
            return Err(StudyError::Invalid(format!(
                "preset `{}` reads a data root: give --data-root",
                preset.name
            )));
        }
        (Source::Root { .. }, Some(_)) => {
            return Err(StudyError::Invalid(format!(
                "preset `{}` runs on synth3d: it takes no --data-root",
                preset.name
            )));
        }
    };
    Ok((
        Runner::new(preset.clone(), data, layout, device, given),
        survey,
    ))
}
