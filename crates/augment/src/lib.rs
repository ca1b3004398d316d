//! Deterministic image ops with torchvision-on-PIL semantics, the paper's parameter sweeps,
//! random SSL policies and eval preprocessing.
#![warn(missing_docs)]

pub mod albumentations_elastic;
mod border;
pub mod color;
pub mod elastic;
pub mod error;
pub mod filter;
pub mod geometry;
pub mod image_file;
pub mod numpy_rng;
pub mod op;
pub mod opencv_warp;
pub mod paper_policy;
pub mod paper_sweep;
pub mod pil_blur;
pub mod policy;
pub mod preprocess;
pub mod protocol;
pub mod resample;
pub mod sweep;
pub mod transform;

pub use error::{AugmentError, Result};
pub use image_file::{MAX_IMAGE_PIXELS, decode_image_bytes, read_image};
pub use numpy_rng::NumpyRandomState;
pub use op::{OP_NAMES, Op};
pub use paper_policy::{JitterDraw, StepDraw};
pub use policy::{Policy, Step};
pub use preprocess::{IMAGENET_MEAN, IMAGENET_STD, Preprocess};
pub use protocol::Protocol;
pub use resample::{Filter, resize_exact, resize_exact_with, resize_shorter, resize_shorter_with};
pub use sweep::Sweep;
pub use transform::Transform;
