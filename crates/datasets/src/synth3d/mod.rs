//! synth3d: a deterministic procedural renderer of 3D objects in the spirit of Causal3DIdent, the
//! embedded default data (no download).
//!
//! Twelve object classes (triangle meshes with a solid checker texture) are posed, rasterised with
//! a z-buffer at 2x2 supersampling and shaded (Lambert + ambient + highlight) under a coloured
//! directional light in front of a hued backdrop. Every image is a pure function of its
//! [`Latents`], and every latent of a split a pure function of `(seed, split, index)`.
//!
//! ```no_run
//! use sslinv_datasets::synth3d::{GroupKind, Synth3d, Synth3dConfig};
//! let data = Synth3d::load_or_generate(&Synth3dConfig::quick(), std::path::Path::new("data/synth3d"))?;
//! let landmarks = data.train[0].target("landmarks")?; // 16 values in [0, 1]
//! let views = data.groups(GroupKind::Viewpoint);
//! # Ok::<(), sslinv_datasets::synth3d::Synth3dError>(())
//! ```

mod cache;
mod colour;
mod config;
mod dataset;
mod error;
mod grid;
mod landmarks;
mod latents;
mod math;
mod mesh;
mod raster;
mod render;
mod sample;
mod seeds;
mod shading;
mod shapes;
mod splits;
mod texture;

pub use config::{RENDERER_VERSION, Synth3dConfig};
pub use dataset::Synth3d;
pub use error::Synth3dError;
pub use grid::{landmark_overlay, landmark_sheet, sample_grid};
pub use landmarks::DIRECTIONS as LANDMARK_DIRECTIONS;
pub use latents::{Latents, ranges};
pub use render::{MAX_SIZE, Rendered, render_full};
pub use sample::Sample;
pub use shapes::CLASS_NAMES;
pub use splits::GroupKind;
pub(crate) use splits::pretrain_latents;
