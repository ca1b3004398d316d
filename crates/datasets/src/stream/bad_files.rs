//! What a loader does with an image it cannot decode, and the record of the ones it skipped.

use serde::{Deserialize, Serialize};

/// Policy for unreadable images.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BadFiles {
    /// Stop with an error naming the file (the default).
    #[default]
    Fail,
    /// Replace the image by the next readable one in the epoch's order (still seeded by the bad
    /// image's position, so batches stay full and deterministic) and count it.
    Skip,
}

impl std::str::FromStr for BadFiles {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "fail" => Ok(BadFiles::Fail),
            "skip" => Ok(BadFiles::Skip),
            other => Err(format!("unknown bad-file policy `{other}` (fail, skip)")),
        }
    }
}

/// At most this many distinct skipped files are named in a [`BadFileLog`].
pub const NAMED_BAD_FILES: usize = 100;

/// The images a loader skipped under [`BadFiles::Skip`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadFileLog {
    /// Times an image was replaced (a bad file counts once per epoch it is met in).
    pub skipped: u64,
    /// Distinct bad files with the reason, sorted by name (at most [`NAMED_BAD_FILES`]; past
    /// that, which ones are named depends on the order the worker threads met them).
    pub files: Vec<(String, String)>,
}

impl BadFileLog {
    /// Counts one skip of `origin`, naming it when it is new and the list has room.
    pub fn record(&mut self, origin: String, reason: String) {
        self.skipped += 1;
        if self.files.len() < NAMED_BAD_FILES
            && let Err(at) = self
                .files
                .binary_search_by(|(o, _)| o.as_str().cmp(&origin))
        {
            self.files.insert(at, (origin, reason));
        }
    }
}
