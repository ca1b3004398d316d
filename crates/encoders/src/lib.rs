//! ResNet encoders in torchvision layout, checkpoint loading with key remaps, a timm-style
//! model registry and fast feature extraction.

pub mod block;
pub mod config;
pub mod encoder;
pub mod error;
pub mod folded;
pub mod norm;
pub mod ops;
pub mod params;
pub mod pool;
pub mod resnet;

pub use config::{Arch, ResNetConfig, Stem};
pub use encoder::Encoder;
pub use error::{EncoderError, Result};
pub use folded::FoldedResNet;
pub use norm::BatchNorm;
pub use resnet::ResNet;
