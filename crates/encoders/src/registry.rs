//! A timm-style registry: short names mapped to a Hub repo, file, architecture, key remap and
//! eval preprocessing.

use crate::config::{Arch, ResNetConfig};
use crate::remap::KeyRemap;
use sslinv_augment::Preprocess;

/// What a registry file holds, and so how it is built.
#[derive(Debug, Clone, PartialEq)]
pub enum RegistryModel {
    /// A ResNet whose keys are named as `remap` says.
    ResNet {
        /// Architecture the file holds.
        config: ResNetConfig,
        /// How its keys are named.
        remap: KeyRemap,
    },
    /// A ViT by its timm name with weight tag (`vit_small_patch16_224.dino`): the tag picks
    /// timm's pretrained config (input size, crop fraction, mean/std, bicubic), so evaluation
    /// preprocesses as timm does for these weights.
    Vit {
        /// timm `ARCH.TAG`.
        arch: &'static str,
    },
}

/// One registry model.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryEntry {
    /// Short name (`torchvision/resnet50`, `dinov2/vit_small_patch14`).
    pub name: &'static str,
    /// Hugging Face Hub model repo.
    pub repo: &'static str,
    /// File in the repo.
    pub file: &'static str,
    /// The architecture and layout of the file.
    pub model: RegistryModel,
    /// Where the repo and file were checked against the Hub's listing, or why they were not.
    pub provenance: &'static str,
}

impl RegistryEntry {
    /// The ResNet architecture, for ResNet entries.
    pub fn resnet(&self) -> Option<&ResNetConfig> {
        match &self.model {
            RegistryModel::ResNet { config, .. } => Some(config),
            RegistryModel::Vit { .. } => None,
        }
    }

    /// Whether the entry is a ViT.
    pub fn is_vit(&self) -> bool {
        matches!(self.model, RegistryModel::Vit { .. })
    }

    /// The eval preprocessing for these weights: torchvision's resize 256 + crop 224 for the
    /// ResNets, timm's pretrained config of the tag for ViTs.
    pub fn preprocess(&self) -> crate::error::Result<Preprocess> {
        Ok(match &self.model {
            RegistryModel::ResNet { .. } => Preprocess::new(Some(256), Some(224)),
            RegistryModel::Vit { arch } => crate::vit::pretrained_config(arch)?.preprocess(),
        })
    }
}

/// Where the timm ViT repos were checked: each repo's file listing on the Hub (2026-12).
const TIMM_LISTED: &str = "model.safetensors seen in the repo's Hub file listing";

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
        model: RegistryModel::ResNet {
            config: ResNetConfig {
                arch,
                width_mult: 1.0,
                stem: crate::config::Stem::ImageNet,
            },
            remap,
        },
        provenance: "checked when the ResNet registry was written",
    }
}

/// A timm ViT: `repo` is `timm/` + `arch` (spelled out: const fns cannot concatenate).
const fn vit(
    name: &'static str,
    repo: &'static str,
    arch: &'static str,
    file: &'static str,
    provenance: &'static str,
) -> RegistryEntry {
    RegistryEntry {
        name,
        repo,
        file,
        model: RegistryModel::Vit { arch },
        provenance,
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
    vit(
        "dino/vit_small_patch16",
        "timm/vit_small_patch16_224.dino",
        "vit_small_patch16_224.dino",
        "model.safetensors",
        TIMM_LISTED,
    ),
    vit(
        "dino/vit_base_patch16",
        "timm/vit_base_patch16_224.dino",
        "vit_base_patch16_224.dino",
        "model.safetensors",
        TIMM_LISTED,
    ),
    vit(
        "dinov2/vit_small_patch14",
        "timm/vit_small_patch14_dinov2.lvd142m",
        "vit_small_patch14_dinov2.lvd142m",
        "model.safetensors",
        "not confirmed: the repo's listing was not found; its siblings (base, large) hold \
         model.safetensors",
    ),
    vit(
        "dinov2/vit_base_patch14",
        "timm/vit_base_patch14_dinov2.lvd142m",
        "vit_base_patch14_dinov2.lvd142m",
        "model.safetensors",
        TIMM_LISTED,
    ),
    vit(
        "dinov2/vit_large_patch14",
        "timm/vit_large_patch14_dinov2.lvd142m",
        "vit_large_patch14_dinov2.lvd142m",
        "model.safetensors",
        TIMM_LISTED,
    ),
    vit(
        "dinov2-reg/vit_small_patch14",
        "timm/vit_small_patch14_reg4_dinov2.lvd142m",
        "vit_small_patch14_reg4_dinov2.lvd142m",
        "model.safetensors",
        "repo confirmed (widely used hub id); file assumed from its siblings' listings",
    ),
    vit(
        "dinov2-reg/vit_large_patch14",
        "timm/vit_large_patch14_reg4_dinov2.lvd142m",
        "vit_large_patch14_reg4_dinov2.lvd142m",
        "model.safetensors",
        TIMM_LISTED,
    ),
    vit(
        "mae/vit_base_patch16",
        "timm/vit_base_patch16_224.mae",
        "vit_base_patch16_224.mae",
        "model.safetensors",
        TIMM_LISTED,
    ),
    vit(
        "mae/vit_large_patch16",
        "timm/vit_large_patch16_224.mae",
        "vit_large_patch16_224.mae",
        "model.safetensors",
        TIMM_LISTED,
    ),
    // The repo holds the whole open_clip model (text tower too) as a pickle; the visual tower
    // is remapped from open_clip's layout and the rest ignored.
    vit(
        "clip/vit_base_patch16",
        "timm/vit_base_patch16_clip_224.openai",
        "vit_base_patch16_clip_224.openai",
        "pytorch_model.bin",
        "pytorch_model.bin (open_clip layout) seen in the repo's Hub file listing; no \
         model.safetensors there",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_resolves_its_architecture_and_preprocessing() {
        for e in REGISTRY {
            let p = e
                .preprocess()
                .unwrap_or_else(|err| panic!("{}: {err}", e.name));
            if let RegistryModel::Vit { arch } = e.model {
                let (base, tag) = arch.split_once('.').expect("registry ViTs carry a tag");
                crate::vit::ViTConfig::timm(base).unwrap();
                assert_eq!(e.repo, format!("timm/{base}.{tag}"));
                assert!(
                    p.interpolation == sslinv_augment::Filter::Bicubic,
                    "{}",
                    e.name
                );
            }
            assert_eq!(REGISTRY.iter().filter(|o| o.name == e.name).count(), 1);
        }
        // DINOv2's lvd142m config is 518 px, crop_pct 1.0 (timm's pretrained config).
        let v2 = lookup("dinov2/vit_base_patch14")
            .unwrap()
            .preprocess()
            .unwrap();
        assert_eq!((v2.resize, v2.crop), (Some(518), Some(518)));
    }
}
