//! The study's error type: every failure names the step, file or preset it concerns.

use std::path::PathBuf;

/// What can go wrong running a study.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// A preset file is unreadable or invalid.
    #[error("preset {origin}: {message}")]
    Preset {
        /// The preset name or file.
        origin: String,
        /// What is wrong (names the key).
        message: String,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A result file exists but does not parse.
    #[error("{}: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// A step failed.
    #[error("step `{step}`: {source}")]
    Step {
        /// The step id.
        step: String,
        /// The cause.
        #[source]
        source: Box<StudyError>,
    },
    /// A step cannot run yet: an input is missing.
    #[error("step `{step}` needs {missing}")]
    NotReady {
        /// The step id.
        step: String,
        /// What is missing.
        missing: String,
    },
    /// No step has this id.
    #[error("no step `{0}` in the plan (`--list-steps` lists them)")]
    UnknownStep(String),
    /// A failure, with what was being done when it happened.
    #[error("{what}: {source}")]
    Context {
        /// What was being done (names the file, dataset or model).
        what: String,
        /// The cause.
        #[source]
        source: Box<StudyError>,
    },
    /// Invalid request (a model name, a task, a combination of options).
    #[error("{0}")]
    Invalid(String),
    /// The encoders crate failed.
    #[error(transparent)]
    Encoder(#[from] sslinv_encoders::EncoderError),
    /// The datasets crate failed.
    #[error(transparent)]
    Dataset(#[from] sslinv_datasets::DatasetError),
    /// synth3d failed.
    #[error(transparent)]
    Synth3d(#[from] sslinv_datasets::synth3d::Synth3dError),
    /// Pretraining failed.
    #[error(transparent)]
    Objectives(#[from] sslinv_objectives::ObjectivesError),
    /// An invariance measurement failed.
    #[error(transparent)]
    Invariance(#[from] sslinv_invariance::InvarianceError),
    /// A probe failed.
    #[error(transparent)]
    Heads(#[from] sslinv_heads::HeadsError),
    /// Fusion ranking failed.
    #[error(transparent)]
    Fusion(#[from] sslinv_fusion::FusionError),
    /// Image preprocessing failed.
    #[error(transparent)]
    Augment(#[from] sslinv_augment::AugmentError),
    /// A tensor operation failed.
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
}

/// The study's result type.
pub type Result<T> = std::result::Result<T, StudyError>;

impl StudyError {
    /// A `map_err` adapter that says what was being done: `.map_err(StudyError::context(..))`.
    pub fn context<E: Into<StudyError>>(what: impl Into<String>) -> impl FnOnce(E) -> StudyError {
        let what = what.into();
        move |e| StudyError::Context {
            what,
            source: Box::new(e.into()),
        }
    }

    /// Wraps an error with the step it happened in.
    pub fn in_step(self, step: &str) -> StudyError {
        StudyError::Step {
            step: step.to_string(),
            source: Box::new(self),
        }
    }
}

/// An error unless two row counts agree.
pub fn check_rows(what: &str, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(StudyError::Invalid(format!(
            "{what}: {got} rows where the features have {expected}"
        )))
    }
}
