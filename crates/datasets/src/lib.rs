//! Loaders for the paper's datasets in their real on-disk layouts, hub download, and the
//! embedded procedural `synth3d` scenes.
//!
//! ```no_run
//! use sslinv_datasets::{Dataset, Split, open, open_views};
//! let flowers = open("flowers102", "data/Flowers".as_ref(), Split::Train)?;
//! let first = flowers.image(0)?;
//! let coil = open_views("coil100", "data/COIL100".as_ref())?;
//! println!("{} images, {}x{}; {} view groups", flowers.len(), first.width(), first.height(), coil.len());
//! # Ok::<(), sslinv_datasets::DatasetError>(())
//! ```
#![warn(missing_docs)]

pub mod binfmt;
pub mod check;
pub mod crop;
pub mod dataset;
pub mod error;
pub mod fetch;
pub mod fsutil;
pub mod image_set;
pub mod loaders;
pub mod registry;
pub mod source;
pub mod split;
pub mod splits;
pub mod stream;
pub mod synth3d;
pub mod target;
pub mod views;

pub use check::{CheckOptions, CheckReport, check};
pub use crop::CropBox;
pub use dataset::Dataset;
pub use error::{DatasetError, Result};
pub use fetch::{FetchOptions, FetchReport, HubSource, fetch, fetch_with, hub_source, layout_help};
pub use image_set::{ImageSet, Item};
pub use loaders::folder::{FolderDataset, open_folder};
pub use registry::{
    DATASETS, VIEW_DATASETS, canonical, is_view_dataset, open, open_views, splits_of,
};
pub use source::ImageSource;
pub use split::Split;
pub use target::{Target, TargetKind, Targets};
pub use views::{ViewGroup, ViewGroups};
