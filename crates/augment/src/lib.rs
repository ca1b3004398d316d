//! Deterministic image ops with torchvision-on-PIL semantics, the paper's parameter sweeps,
//! random SSL policies and eval preprocessing.
#![warn(missing_docs)]

pub mod color;
pub mod elastic;
pub mod error;
pub mod filter;
pub mod geometry;
pub mod op;
pub mod policy;
pub mod preprocess;
pub mod resample;
pub mod sweep;
pub mod transform;

pub use error::{AugmentError, Result};
pub use op::{OP_NAMES, Op};
pub use policy::{Policy, Step};
pub use preprocess::{IMAGENET_MEAN, IMAGENET_STD, Preprocess};
pub use resample::{Filter, resize_exact, resize_exact_with, resize_shorter, resize_shorter_with};
pub use sweep::Sweep;
pub use transform::Transform;
