//! One module per `cargo xtask` command.

pub mod augment;
pub mod datasets;
pub mod datasets_check;
pub mod datasets_render;
pub mod demo;
pub mod downstream;
pub mod features;
pub mod fetch;
pub mod fetch_dataset;
pub mod fetch_model;
pub mod fusion;
pub mod invariance;
pub mod invariance_views;
pub mod pipeline;
pub mod pretrain;
pub mod probe;
pub mod rankme;
pub mod report;
