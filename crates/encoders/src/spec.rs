//! Model spec strings: `arch:path`, `path`, a registry name, `hf:repo:file`,
//! `random:arch[:seed=N][:width=W][:stem=S]` and `a+b` (fusion by concatenation).

use crate::config::{Arch, ResNetConfig, Stem};
use crate::error::{EncoderError, Result};
use crate::registry;
use std::path::PathBuf;

/// A parsed model spec.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelSpec {
    /// A local checkpoint; the architecture is read from the tensors and checked against `arch`.
    File {
        /// The architecture asked for, if any.
        arch: Option<Arch>,
        /// The checkpoint.
        path: PathBuf,
    },
    /// A registry name (`torchvision/resnet50`).
    Registry(String),
    /// A file in a Hub model repo.
    Hub {
        /// Repo id (`owner/name`).
        repo: String,
        /// File in the repo.
        file: String,
    },
    /// Seeded PyTorch initialisation.
    Random {
        /// Architecture.
        config: ResNetConfig,
        /// Seed.
        seed: u64,
    },
    /// Several encoders whose features are concatenated.
    Fused(Vec<ModelSpec>),
}

fn bad(spec: &str, reason: impl Into<String>) -> EncoderError {
    EncoderError::Spec {
        spec: spec.to_string(),
        reason: reason.into(),
    }
}

fn parse_random(spec: &str, rest: &str) -> Result<ModelSpec> {
    let mut parts = rest.split(':');
    let arch: Arch = parts.next().unwrap_or_default().parse().map_err(|_| {
        bad(
            spec,
            "expected random:ARCH[:seed=N][:width=W][:stem=imagenet|cifar]",
        )
    })?;
    let mut config = ResNetConfig::torchvision(arch);
    let mut seed = 0;
    for part in parts {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| bad(spec, format!("`{part}` is not key=value")))?;
        let number = |what: &str| bad(spec, format!("{k}={v}: not a valid {what}"));
        match k.trim() {
            "seed" => seed = v.trim().parse().map_err(|_| number("integer"))?,
            "width" | "width_mult" => {
                config.width_mult = v.trim().parse().map_err(|_| number("number"))?;
                if !(config.width_mult > 0.0 && config.width_mult.is_finite()) {
                    return Err(number("positive width"));
                }
            }
            "stem" => {
                config.stem = v
                    .parse::<Stem>()
                    .map_err(|_| number("stem (imagenet, cifar)"))?
            }
            other => {
                return Err(bad(
                    spec,
                    format!("unknown option `{other}` (seed, width, stem)"),
                ));
            }
        }
    }
    Ok(ModelSpec::Random { config, seed })
}

impl ModelSpec {
    /// Parses a spec string.
    pub fn parse(spec: &str) -> Result<Self> {
        let s = spec.trim();
        if s.is_empty() {
            return Err(bad(spec, "empty"));
        }
        if s.contains('+') {
            let parts: Vec<&str> = s.split('+').map(str::trim).collect();
            if parts.iter().any(|p| p.is_empty()) {
                return Err(bad(spec, "empty part in a `+` fusion"));
            }
            return Ok(Self::Fused(
                parts.into_iter().map(Self::parse).collect::<Result<_>>()?,
            ));
        }
        if let Some(rest) = s.strip_prefix("random:") {
            return parse_random(spec, rest);
        }
        if let Some(rest) = s.strip_prefix("hf:") {
            let (repo, file) = rest.split_once(':').unwrap_or((rest, "model.safetensors"));
            if repo.split('/').count() != 2 || repo.split('/').any(str::is_empty) || file.is_empty()
            {
                return Err(bad(spec, "expected hf:OWNER/NAME:FILE"));
            }
            return Ok(Self::Hub {
                repo: repo.to_string(),
                file: file.to_string(),
            });
        }
        if let Some((head, path)) = s.split_once(':')
            && let Ok(arch) = head.parse::<Arch>()
        {
            if path.is_empty() {
                return Err(bad(spec, "expected ARCH:PATH"));
            }
            return Ok(Self::File {
                arch: Some(arch),
                path: PathBuf::from(path),
            });
        }
        if registry::lookup(s).is_some() {
            return Ok(Self::Registry(s.to_ascii_lowercase()));
        }
        let path = PathBuf::from(s);
        let looks_like_file = [
            ".safetensors",
            ".pth",
            ".pth.tar",
            ".pt",
            ".bin",
            ".tar",
            ".ckpt",
        ]
        .iter()
        .any(|e| s.ends_with(e));
        if looks_like_file || path.exists() {
            return Ok(Self::File { arch: None, path });
        }
        Err(bad(
            spec,
            format!(
                "not ARCH:PATH, a checkpoint file, hf:REPO:FILE, random:ARCH:seed=N or a registry name ({})",
                registry::names().join(", ")
            ),
        ))
    }
}

impl std::str::FromStr for ModelSpec {
    type Err = EncoderError;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}
