//! ResNet encoders in torchvision layout and Vision Transformers in timm layout, checkpoint
//! loading with key remaps and model cards, a timm-style model registry, the model-spec parser
//! (fusion included) and feature extraction with an on-disk cache.
#![warn(missing_docs)]

pub mod atomic;
pub mod block;
pub mod cache;
pub mod card;
pub mod checkpoint;
pub mod config;
pub mod encoder;
pub mod error;
pub mod extract;
pub mod extractor;
pub mod features;
pub mod folded;
pub mod fuse_mode;
pub mod fused;
pub mod hub;
mod layout_diff;
pub mod load;
pub mod norm;
pub mod params;
pub mod pickle_guard;
pub mod registry;
pub mod remap;
pub mod resnet;
pub mod sorted_safetensors;
pub mod source;
pub mod spec;
mod spec_random;
mod spec_readout;
pub mod vit;

pub use atomic::write_atomic;
pub use cache::{CacheKey, FeatureCache, preprocess_key};
pub use card::{CARD_FORMAT, ModelCard};
pub use config::{Arch, ResNetConfig, Stem};
pub use encoder::Encoder;
pub use error::{EncoderError, Result};
pub use extract::{ExtractOptions, extract};
pub use extractor::FeatureExtractor;
pub use features::Features;
pub use folded::FoldedResNet;
pub use fuse_mode::FuseMode;
pub use fused::FusedEncoder;
pub use load::{
    LoadedModel, eval_preprocess, load_encoder, load_model, load_resnet, member_preprocess,
    random_resnet,
};
pub use norm::BatchNorm;
pub use registry::{REGISTRY, RegistryEntry, RegistryModel};
pub use remap::KeyRemap;
pub use resnet::ResNet;
pub use sorted_safetensors::serialize_sorted;
pub use source::{FnSource, ImageSource, decode_image};
pub use spec::{ModelSpec, is_fused, split_fused};
pub use vit::{Pool, Readout, ViTConfig, ViTEncoder, VisionTransformer};
