//! ResNet architectures and their configuration.

use crate::error::{EncoderError, Result};
use serde::{Deserialize, Serialize};

/// The torchvision ResNet depths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arch {
    /// ResNet-18 (basic blocks 2-2-2-2).
    ResNet18,
    /// ResNet-34 (basic blocks 3-4-6-3).
    ResNet34,
    /// ResNet-50 (bottlenecks 3-4-6-3).
    ResNet50,
    /// ResNet-101 (bottlenecks 3-4-23-3).
    ResNet101,
}

impl Arch {
    /// Blocks per stage.
    pub fn layers(self) -> [usize; 4] {
        match self {
            Self::ResNet18 => [2, 2, 2, 2],
            Self::ResNet34 | Self::ResNet50 => [3, 4, 6, 3],
            Self::ResNet101 => [3, 4, 23, 3],
        }
    }

    /// Whether the stages use bottleneck blocks (expansion 4).
    pub fn bottleneck(self) -> bool {
        matches!(self, Self::ResNet50 | Self::ResNet101)
    }

    /// The name as torchvision spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::ResNet18 => "resnet18",
            Self::ResNet34 => "resnet34",
            Self::ResNet50 => "resnet50",
            Self::ResNet101 => "resnet101",
        }
    }
}

impl std::str::FromStr for Arch {
    type Err = EncoderError;
    fn from_str(s: &str) -> Result<Self> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_'], "")
            .as_str()
        {
            "resnet18" => Ok(Self::ResNet18),
            "resnet34" => Ok(Self::ResNet34),
            "resnet50" => Ok(Self::ResNet50),
            "resnet101" => Ok(Self::ResNet101),
            other => Err(EncoderError::Spec {
                spec: s.to_string(),
                reason: format!(
                    "unknown architecture `{other}` (resnet18, resnet34, resnet50, resnet101)"
                ),
            }),
        }
    }
}

/// The first layers before the residual stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stem {
    /// torchvision: 7x7 stride-2 convolution, then 3x3 stride-2 max-pool.
    ImageNet,
    /// Small images: 3x3 stride-1 convolution, no max-pool.
    Cifar,
}

impl std::str::FromStr for Stem {
    type Err = EncoderError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "imagenet" => Ok(Self::ImageNet),
            "cifar" => Ok(Self::Cifar),
            other => Err(EncoderError::Spec {
                spec: s.to_string(),
                reason: format!("unknown stem `{other}` (imagenet, cifar)"),
            }),
        }
    }
}

/// A ResNet: depth, width multiplier and stem.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ResNetConfig {
    /// Depth.
    pub arch: Arch,
    /// Every stage's width times this (1.0 = torchvision, 3.0 = the paper's wide model).
    pub width_mult: f64,
    /// Stem.
    pub stem: Stem,
}

impl ResNetConfig {
    /// torchvision's model of this depth.
    pub fn torchvision(arch: Arch) -> Self {
        Self {
            arch,
            width_mult: 1.0,
            stem: Stem::ImageNet,
        }
    }

    /// Channels of the stem (64 at width 1).
    pub fn stem_width(&self) -> usize {
        ((64.0 * self.width_mult).round() as usize).max(1)
    }

    /// Inner width of stage `i` (64, 128, 256, 512 at width 1).
    pub fn stage_width(&self, i: usize) -> usize {
        (((64usize << i) as f64 * self.width_mult).round() as usize).max(1)
    }

    /// Output channels of stage `i` (inner width, x4 for bottlenecks).
    pub fn stage_out(&self, i: usize) -> usize {
        self.stage_width(i) * if self.arch.bottleneck() { 4 } else { 1 }
    }

    /// Dimension of the pooled features.
    pub fn dim(&self) -> usize {
        self.stage_out(3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dims_match_torchvision_and_the_paper() {
        assert_eq!(ResNetConfig::torchvision(Arch::ResNet18).dim(), 512);
        assert_eq!(ResNetConfig::torchvision(Arch::ResNet50).dim(), 2048);
        let wide = ResNetConfig {
            width_mult: 3.0,
            ..ResNetConfig::torchvision(Arch::ResNet50)
        };
        assert_eq!(wide.dim(), 6144);
        let small = ResNetConfig {
            arch: Arch::ResNet18,
            width_mult: 0.25,
            stem: Stem::Cifar,
        };
        assert_eq!((small.stem_width(), small.dim()), (16, 128));
    }
}
