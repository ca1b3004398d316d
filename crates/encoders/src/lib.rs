//! ResNet encoders in torchvision layout, checkpoint loading with key remaps, a timm-style
//! model registry and fast feature extraction.

pub mod block;
pub mod checkpoint;
pub mod config;
pub mod encoder;
pub mod error;
pub mod extract;
pub mod folded;
pub mod fused;
pub mod hub;
pub mod load;
pub mod norm;
pub mod ops;
pub mod params;
pub mod registry;
pub mod remap;
pub mod resnet;
pub mod spec;

pub use config::{Arch, ResNetConfig, Stem};
pub use encoder::Encoder;
pub use error::{EncoderError, Result};
pub use extract::{extract_features, extract_image_features};
pub use folded::FoldedResNet;
pub use fused::Concat;
pub use load::{load_encoder, load_resnet, random_resnet};
pub use norm::BatchNorm;
pub use registry::{REGISTRY, RegistryEntry};
pub use remap::KeyRemap;
pub use resnet::ResNet;
pub use spec::ModelSpec;
