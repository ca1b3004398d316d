//! Loaders for the paper's datasets in their real on-disk layouts, hub download, and the
//! embedded procedural `synth3d` scenes.

pub mod synth3d;
