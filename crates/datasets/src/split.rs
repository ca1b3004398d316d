//! Dataset splits.

use std::fmt;
use std::str::FromStr;

use crate::error::DatasetError;

/// Which part of a dataset to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    /// The training split.
    Train,
    /// The validation split (where the dataset defines one).
    Val,
    /// The test split.
    Test,
    /// Every image, in the dataset's canonical order.
    All,
}

impl Split {
    /// The lower-case name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Val => "val",
            Split::Test => "test",
            Split::All => "all",
        }
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Split {
    type Err = DatasetError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "train" => Ok(Split::Train),
            "val" | "valid" | "validation" => Ok(Split::Val),
            "test" => Ok(Split::Test),
            "all" => Ok(Split::All),
            other => Err(DatasetError::UnknownSplit {
                dataset: "-".into(),
                split: other.into(),
                known: "train, val, test, all".into(),
            }),
        }
    }
}
