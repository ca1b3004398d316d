//! Vision Transformers in timm's layout: DINO, DINOv2 (with and without registers), MAE and
//! CLIP image towers, with checkpoints from their original repos remapped, position
//! embeddings resampled to any input grid as timm does, a selectable readout, and a CPU fast
//! path.

pub mod attention;
pub mod block;
pub mod config;
pub mod cpu;
pub mod encoder;
pub mod load;
pub mod mlp;
pub mod model;
pub mod patch_embed;
pub mod pos_embed;
pub mod pretrained;
pub mod readout;
pub mod remap;

pub use config::{Activation, GlobalPool, ViTConfig};
pub use cpu::CpuViT;
pub use encoder::ViTEncoder;
pub use load::{load_vit, random_vit, random_vit_weights};
pub use model::VisionTransformer;
pub use pos_embed::{resample_abs_pos_embed, resize_bicubic_aa};
pub use pretrained::{PretrainedConfig, pretrained_config};
pub use readout::{Pool, Readout};
pub use remap::ViTLayout;
