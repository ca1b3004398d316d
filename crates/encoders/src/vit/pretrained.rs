//! timm's pretrained configuration of each ViT weight tag: how to preprocess for it (input
//! side, crop fraction, mean and std; every listed model interpolates bicubically), as
//! `timm.models.get_pretrained_cfg("ARCH.TAG")` gives it (checked against timm 1.0 by
//! `scripts/reference/vit_pretrained_cfg.py`).

use sslinv_augment::{Filter, Preprocess};

use crate::error::{EncoderError, Result};
use crate::vit::config::ViTConfig;

/// ImageNet's mean and std (DINO, DINOv2, MAE).
const IMAGENET: ([f32; 3], [f32; 3]) = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);
/// Inception's 0.5 mean and std (timm's AugReg ViTs).
const INCEPTION: ([f32; 3], [f32; 3]) = ([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]);
/// OpenAI CLIP's mean and std.
const CLIP: ([f32; 3], [f32; 3]) = (
    [0.481_454_66, 0.457_827_5, 0.408_210_73],
    [0.268_629_54, 0.261_302_6, 0.275_777_1],
);

/// A tag's (name, input side, crop fraction, (mean, std)).
type Tag = (&'static str, u32, f64, ([f32; 3], [f32; 3]));

/// How timm preprocesses for one pretrained ViT.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PretrainedConfig {
    /// The weight tag (`dino`, `lvd142m`, `openai`, ...).
    pub tag: &'static str,
    /// Square input side.
    pub input_size: u32,
    /// Centre-crop fraction: resize the shorter side to `floor(input / crop_pct)`, then crop.
    pub crop_pct: f64,
    /// Normalisation mean.
    pub mean: [f32; 3],
    /// Normalisation std.
    pub std: [f32; 3],
}

impl PretrainedConfig {
    /// The eval preprocessing timm's `resolve_data_config` + `create_transform` build for it.
    pub fn preprocess(&self) -> Preprocess {
        let resize = (self.input_size as f64 / self.crop_pct).floor() as u32;
        Preprocess::new(Some(resize), Some(self.input_size))
            .with_mean_std(self.mean, self.std)
            .with_interpolation(Filter::Bicubic)
    }
}

/// timm's default tag of an architecture (the first in its `default_cfgs`).
fn default_tag(arch: &str) -> &'static str {
    if arch.contains("dinov2") {
        "lvd142m"
    } else if arch.contains("quickgelu") {
        "metaclip_2pt5b"
    } else if arch.contains("clip") {
        "laion2b_ft_in12k_in1k"
    } else if arch == "vit_base_patch16_224" {
        "augreg2_in21k_ft_in1k"
    } else {
        "augreg_in21k_ft_in1k"
    }
}

/// The pretrained configuration of `name` (`ARCH` or `ARCH.TAG`); an unknown tag is an error
/// naming the known ones.
pub fn pretrained_config(name: &str) -> Result<PretrainedConfig> {
    let (arch, tag) = match name.split_once('.') {
        Some((a, t)) => (a, t),
        None => (name, default_tag(name)),
    };
    let cfg = ViTConfig::timm(arch)?;
    let dinov2 = arch.contains("dinov2");
    let clip = arch.contains("clip");
    let known: &[Tag] = if dinov2 {
        &[("lvd142m", 518, 1.0, IMAGENET)]
    } else if clip {
        &[
            ("openai", 224, 0.9, CLIP),
            ("laion2b", 224, 1.0, CLIP),
            ("laion2b_ft_in12k_in1k", 224, 0.95, CLIP),
            ("metaclip_2pt5b", 224, 1.0, CLIP),
        ]
    } else {
        &[
            ("dino", 224, 0.9, IMAGENET),
            ("mae", 224, 0.9, IMAGENET),
            ("augreg_in21k_ft_in1k", 224, 0.9, INCEPTION),
            ("augreg2_in21k_ft_in1k", 224, 0.9, INCEPTION),
        ]
    };
    let &(tag, input, crop_pct, (mean, std)) =
        known
            .iter()
            .find(|k| k.0 == tag)
            .ok_or_else(|| EncoderError::Spec {
                spec: name.to_string(),
                reason: format!(
                    "no pretrained config `{tag}` for {} (known: {})",
                    cfg.name,
                    known.iter().map(|k| k.0).collect::<Vec<_>>().join(", ")
                ),
            })?;
    Ok(PretrainedConfig {
        tag,
        input_size: input,
        crop_pct,
        mean,
        std,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_resolve_and_unknown_ones_are_named() {
        let d = pretrained_config("vit_small_patch16_224.dino").unwrap();
        assert_eq!((d.input_size, d.crop_pct), (224, 0.9));
        let p = d.preprocess();
        assert_eq!((p.resize, p.crop), (Some(248), Some(224)));
        let v2 = pretrained_config("vit_small_patch14_reg4_dinov2").unwrap();
        assert_eq!((v2.tag, v2.input_size), ("lvd142m", 518));
        let err = pretrained_config("vit_base_patch16_224.nope").unwrap_err();
        assert!(err.to_string().contains("dino, mae"), "{err}");
        assert!(pretrained_config("vit_nothing.dino").is_err());
    }
}
