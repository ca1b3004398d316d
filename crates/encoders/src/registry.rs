//! A timm-style registry: short names mapped to a Hub repo, file, architecture, key remap and
//! eval preprocessing.

use crate::config::{Arch, ResNetConfig};
use crate::remap::KeyRemap;

/// One registry model.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryEntry {
    /// Short name (`torchvision/resnet50`).
    pub name: &'static str,
    /// Hugging Face Hub model repo.
    pub repo: &'static str,
    /// File in the repo.
    pub file: &'static str,
    /// Architecture the file holds.
    pub config: ResNetConfig,
    /// How its keys are named.
    pub remap: KeyRemap,
    /// Eval preprocessing: resize of the shorter side, then centre crop (ImageNet mean/std).
    pub resize: u32,
    /// Centre crop size.
    pub crop: u32,
}

const fn entry(
    name: &'static str,
    repo: &'static str,
    file: &'static str,
    arch: Arch,
    remap: KeyRemap,
) -> RegistryEntry {
    RegistryEntry {
        name,
        repo,
        file,
        config: ResNetConfig {
            arch,
            width_mult: 1.0,
            stem: crate::config::Stem::ImageNet,
        },
        remap,
        resize: 256,
        crop: 224,
    }
}

/// Every registry model.
pub const REGISTRY: &[RegistryEntry] = &[
    entry(
        "torchvision/resnet18",
        "timm/resnet18.tv_in1k",
        "model.safetensors",
        Arch::ResNet18,
        KeyRemap::Torchvision,
    ),
    entry(
        "torchvision/resnet34",
        "timm/resnet34.tv_in1k",
        "model.safetensors",
        Arch::ResNet34,
        KeyRemap::Torchvision,
    ),
    entry(
        "torchvision/resnet50",
        "timm/resnet50.tv_in1k",
        "model.safetensors",
        Arch::ResNet50,
        KeyRemap::Torchvision,
    ),
    entry(
        "torchvision/resnet101",
        "timm/resnet101.tv_in1k",
        "model.safetensors",
        Arch::ResNet101,
        KeyRemap::Torchvision,
    ),
    entry(
        "barlowtwins/resnet50",
        "SauravMaheshkar/barlowtwins-resnet50-in1k",
        "model.safetensors",
        Arch::ResNet50,
        KeyRemap::Torchvision,
    ),
    entry(
        "dino/resnet50",
        "Ramos-Ramos/dino-resnet-50",
        "pytorch_model.bin",
        Arch::ResNet50,
        KeyRemap::HfResNet,
    ),
    entry(
        "vicreg/resnet50",
        "Ramos-Ramos/vicreg-resnet-50",
        "pytorch_model.bin",
        Arch::ResNet50,
        KeyRemap::HfResNet,
    ),
];

/// The entry called `name` (case-insensitive).
pub fn lookup(name: &str) -> Option<&'static RegistryEntry> {
    REGISTRY
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case(name.trim()))
}

/// Every registry name, for error messages and `--help`.
pub fn names() -> Vec<&'static str> {
    REGISTRY.iter().map(|e| e.name).collect()
}
