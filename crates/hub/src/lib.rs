//! The Hugging Face Hub conventions that the model downloads (`sslinv-encoders`) and the dataset
//! downloads (`sslinv-datasets`) both follow: the endpoint and offline switch from the
//! environment, and a reachability check that fails within seconds naming why.
#![warn(missing_docs)]

mod reach;
mod settings;

pub use reach::{Unreachable, check_reachable};
pub use settings::{DEFAULT_ENDPOINT, endpoint, offline};
