//! Writers of tiny fixtures in the datasets' real file formats, shared by the workspace's tests.
#![warn(missing_docs)]

mod files;
mod image;
mod mat;

pub use files::write_file;
pub use image::{pattern, png_bytes};
pub use mat::{mat_v5, mat_v73_header};
