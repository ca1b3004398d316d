//! Writers of tiny fixtures in the datasets' real file formats, command lines for tests that run
//! a binary, and tensor comparisons, shared by the workspace's tests.
#![warn(missing_docs)]

mod cli;
mod files;
mod image;
mod mat;
mod memory;
mod tensor;

pub use cli::fill;
pub use files::{cifar10_batches, write_file};
pub use image::{pattern, png_bytes};
pub use mat::{mat_v5, mat_v73_header};
pub use memory::peak_rss_mib;
pub use tensor::max_abs_diff;
