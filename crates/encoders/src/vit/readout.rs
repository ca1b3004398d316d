//! Which features a ViT hands out: the pooling of the token sequence (`--pool`) and how many
//! of the last blocks' outputs are concatenated (`--layers`, as DINO's linear evaluation).

use crate::error::{EncoderError, Result};
use crate::vit::config::{GlobalPool, ViTConfig};

/// How the token sequence of one block output becomes one vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pool {
    /// timm's own pooled pre-logits output (`create_model(arch, num_classes=0)(x)`).
    #[default]
    Default,
    /// The class token.
    Cls,
    /// The mean of the patch tokens (register and class tokens excluded).
    Mean,
    /// The class token and the patch mean, concatenated (DINOv2's linear evaluation).
    ClsMean,
}

impl Pool {
    /// The pooling `default` resolves to for `cfg`.
    pub fn resolve(self, cfg: &ViTConfig) -> Self {
        match (self, cfg.global_pool) {
            (Self::Default, GlobalPool::Token) => Self::Cls,
            (Self::Default, GlobalPool::Avg) => Self::Mean,
            (p, _) => p,
        }
    }

    /// Vectors per block output (1, or 2 for `cls+mean`).
    pub fn parts(self) -> usize {
        if self == Self::ClsMean { 2 } else { 1 }
    }
}

impl std::str::FromStr for Pool {
    type Err = EncoderError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "default" | "" => Ok(Self::Default),
            "cls" | "token" => Ok(Self::Cls),
            "mean" | "avg" => Ok(Self::Mean),
            "cls+mean" | "cls_mean" | "clsmean" => Ok(Self::ClsMean),
            other => Err(EncoderError::Spec {
                spec: s.to_string(),
                reason: format!("unknown pooling `{other}` (default, cls, mean, cls+mean)"),
            }),
        }
    }
}

impl std::fmt::Display for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Default => "default",
            Self::Cls => "cls",
            Self::Mean => "mean",
            Self::ClsMean => "cls+mean",
        })
    }
}

/// Pooling plus the number of last blocks whose (final-normed) outputs are pooled and
/// concatenated, earliest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readout {
    /// Pooling of each block output.
    pub pool: Pool,
    /// How many of the last blocks contribute (1: the final output only).
    pub layers: usize,
}

impl Default for Readout {
    fn default() -> Self {
        Self {
            pool: Pool::Default,
            layers: 1,
        }
    }
}

impl Readout {
    /// Checks `layers` against the depth of `cfg`.
    pub fn validate(&self, cfg: &ViTConfig) -> Result<()> {
        if self.layers == 0 || self.layers > cfg.depth {
            return Err(EncoderError::Spec {
                spec: cfg.name.clone(),
                reason: format!(
                    "--layers {} is outside 1..={} (the model's depth)",
                    self.layers, cfg.depth
                ),
            });
        }
        Ok(())
    }

    /// Feature width for `cfg`.
    pub fn dim(&self, cfg: &ViTConfig) -> usize {
        self.layers * self.pool.resolve(cfg).parts() * cfg.embed_dim
    }
}
