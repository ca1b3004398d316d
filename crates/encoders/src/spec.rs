//! Model spec strings, the one parser of them (fusion included).
//!
//! A member is `ARCH:PATH`, `VIT_ARCH[.TAG][@POOL][@lastN]:PATH`, `PATH`, a registry name,
//! `hf:OWNER/NAME[:FILE]`, `random:ARCH[:seed=N][:width=W][:stem=S]` or
//! `random:VIT_ARCH[@POOL][@lastN][:seed=N]`; `a+b+c` fuses members,
//! by concatenation unless a mode prefix (`mean:a+b`, `add:a+b`, `cat:a+b`) or the caller's
//! default ([`ModelSpec::parse_with`], the CLI's `--fuse`) says otherwise. A prefix beats the
//! default.

use crate::card::ModelCard;
use crate::config::{Arch, ResNetConfig, Stem};
use crate::error::{EncoderError, Result};
use crate::fuse_mode::FuseMode;
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
    /// A Vision Transformer checkpoint (`vit_small_patch14_dinov2:weights.safetensors`), in
    /// timm's layout or a mechanically remapped original one; `arch` may carry a timm weight
    /// tag (`vit_base_patch16_224.mae`) that picks the preprocessing.
    Vit {
        /// timm architecture name, optionally `.TAG`.
        arch: String,
        /// The checkpoint.
        path: PathBuf,
        /// Which features it hands out (`@cls`, `@mean`, `@clsmean`, `@lastN` in the spec).
        readout: crate::vit::Readout,
    },
    /// A registry name (`torchvision/resnet50`, `dino/vit_small_patch16@cls`); ViT entries
    /// take the same readout suffixes as ViT specs.
    Registry {
        /// The registry name, lower case.
        name: String,
        /// Which features a ViT entry hands out (the default for ResNets).
        readout: crate::vit::Readout,
    },
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
    /// A Vision Transformer with timm's seeded initialisation (`random:vit_small_patch16_224`):
    /// the random-init baseline of a ViT study, preprocessed as the architecture's timm default.
    RandomVit {
        /// timm architecture name.
        arch: String,
        /// Seed.
        seed: u64,
        /// Which features it hands out.
        readout: crate::vit::Readout,
    },
    /// Several encoders (two or more, none of them fused) whose features are combined by `mode`.
    Fused {
        /// The members, in order.
        members: Vec<ModelSpec>,
        /// How their features are combined.
        mode: FuseMode,
    },
}

pub(crate) fn bad(spec: &str, reason: impl Into<String>) -> EncoderError {
    EncoderError::Spec {
        spec: spec.to_string(),
        reason: reason.into(),
    }
}

/// Splits a fused name or spec into its optional mode prefix and its member texts (trimmed),
/// without parsing the members: `"mean:a+b"` gives `(Some(Mean), ["a", "b"])`, `"a"` gives
/// `(None, ["a"])`. Errors on an empty member. Result tables name fusions this way too.
pub fn split_fused(text: &str) -> Result<(Option<FuseMode>, Vec<&str>)> {
    let s = text.trim();
    let (mode, rest) = match s.split_once(':') {
        Some((head, rest)) if is_mode_prefix(head) => (Some(head.parse()?), rest),
        _ => (None, s),
    };
    let members: Vec<&str> = rest.split('+').map(str::trim).collect();
    if members.iter().any(|m| m.is_empty()) {
        return Err(bad(text, "empty member in a `+` fusion"));
    }
    Ok((mode, members))
}

/// Whether `text` names a fusion (`a+b`).
pub fn is_fused(text: &str) -> bool {
    text.contains('+')
}

fn is_mode_prefix(head: &str) -> bool {
    matches!(
        head.trim().to_ascii_lowercase().as_str(),
        "cat" | "concat" | "add" | "sum" | "mean" | "avg"
    )
}

fn parse_member(s: &str) -> Result<ModelSpec> {
    if s.is_empty() {
        return Err(bad(s, "empty"));
    }
    if let Some(rest) = s.strip_prefix("random:") {
        return crate::spec_random::parse_random(s, rest);
    }
    if let Some(rest) = s.strip_prefix("hf:") {
        let (repo, file) = rest.split_once(':').unwrap_or((rest, "model.safetensors"));
        if repo.split('/').count() != 2 || repo.split('/').any(str::is_empty) || file.is_empty() {
            return Err(bad(s, "expected hf:OWNER/NAME:FILE"));
        }
        return Ok(ModelSpec::Hub {
            repo: repo.to_string(),
            file: file.to_string(),
        });
    }
    if let Some((head, path)) = s.split_once(':')
        && let Some(arch) = head.split('@').next()
        && crate::vit::ViTConfig::is_vit_name(arch.split_once('.').map_or(arch, |(a, _)| a))
    {
        if path.is_empty() {
            return Err(bad(s, "expected VIT_ARCH[.TAG][@POOL][@lastN]:PATH"));
        }
        // Resolving the tag now names a bad one before any weights are read.
        crate::vit::pretrained_config(arch)?;
        let readout = crate::spec_readout::parse_readout(s, head.split('@').skip(1))?;
        return Ok(ModelSpec::Vit {
            arch: arch.to_ascii_lowercase(),
            path: PathBuf::from(path),
            readout,
        });
    }
    if let Some((head, path)) = s.split_once(':')
        && let Ok(arch) = head.parse::<Arch>()
    {
        if path.is_empty() {
            return Err(bad(s, "expected ARCH:PATH"));
        }
        return Ok(ModelSpec::File {
            arch: Some(arch),
            path: PathBuf::from(path),
        });
    }
    let mut parts = s.split('@');
    if let Some(entry) = registry::lookup(parts.next().unwrap_or_default()) {
        let readout = crate::spec_readout::parse_readout(s, parts)?;
        if !entry.is_vit() && readout != crate::vit::Readout::default() {
            return Err(bad(
                s,
                "readout suffixes (@cls, @lastN, ...) apply to ViTs only",
            ));
        }
        return Ok(ModelSpec::Registry {
            name: entry.name.to_ascii_lowercase(),
            readout,
        });
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
        return Ok(ModelSpec::File { arch: None, path });
    }
    Err(bad(
        s,
        format!(
            "not ARCH:PATH, a checkpoint file, hf:REPO:FILE, random:ARCH:seed=N or a registry name ({})",
            registry::names().join(", ")
        ),
    ))
}

impl ModelSpec {
    /// Parses a spec string; `a+b` fuses by concatenation unless a mode prefix says otherwise.
    pub fn parse(spec: &str) -> Result<Self> {
        Self::parse_with(spec, FuseMode::Cat)
    }

    /// Parses a spec string, fusing `a+b` by `default_mode` unless the spec has a mode prefix.
    /// Every error names the whole spec (and the member at fault).
    pub fn parse_with(spec: &str, default_mode: FuseMode) -> Result<Self> {
        if spec.trim().is_empty() {
            return Err(bad(spec, "empty"));
        }
        let (prefix, texts) = split_fused(spec)?;
        let mut members = texts
            .iter()
            .map(|m| {
                parse_member(m).map_err(|e| match e {
                    EncoderError::Spec { reason, .. } if texts.len() > 1 => {
                        bad(spec, format!("member `{m}`: {reason}"))
                    }
                    EncoderError::Spec { reason, .. } => bad(spec, reason),
                    other => other,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(if members.len() == 1 {
            members.remove(0)
        } else {
            Self::Fused {
                members,
                mode: prefix.unwrap_or(default_mode),
            }
        })
    }

    /// The members of a fusion, or this spec alone.
    pub fn members(&self) -> &[ModelSpec] {
        match self {
            Self::Fused { members, .. } => members,
            _ => std::slice::from_ref(self),
        }
    }

    /// How a fusion combines its members (`cat` for a single encoder).
    pub fn fuse_mode(&self) -> FuseMode {
        match self {
            Self::Fused { mode, .. } => *mode,
            _ => FuseMode::Cat,
        }
    }

    /// This spec with its fusion mode replaced (no change for a single encoder).
    pub fn with_fuse_mode(mut self, new: FuseMode) -> Self {
        if let Self::Fused { mode, .. } = &mut self {
            *mode = new;
        }
        self
    }

    /// Whether this is a fusion of several encoders.
    pub fn is_fused(&self) -> bool {
        matches!(self, Self::Fused { .. })
    }

    /// The model card beside a local checkpoint (`<name>.json`), if it has one; `None` for
    /// other kinds of spec and for fusions.
    pub fn card(&self) -> Result<Option<ModelCard>> {
        match self {
            Self::File { path, .. } => ModelCard::beside(path),
            _ => Ok(None),
        }
    }

    /// The width multiplier of the widest member: from the spec (`random:...:width=W`), the
    /// registry, or a checkpoint's model card; 1.0 for checkpoints without a card and Hub files.
    pub fn width_mult(&self) -> Result<f64> {
        let mut widest = 1.0f64;
        for m in self.members() {
            let w = match m {
                Self::Random { config, .. } => config.width_mult,
                Self::Registry { name, .. } => registry::lookup(name)
                    .and_then(|e| e.resnet())
                    .map_or(1.0, |c| c.width_mult),
                Self::File { .. } => m.card()?.map_or(1.0, |c| c.width_mult),
                Self::Hub { .. }
                | Self::Fused { .. }
                | Self::Vit { .. }
                | Self::RandomVit { .. } => 1.0,
            };
            widest = widest.max(w);
        }
        Ok(widest)
    }

    /// Local files the spec's weights come from (for cache keys that must miss when they change).
    pub fn local_files(&self) -> Vec<PathBuf> {
        self.members()
            .iter()
            .filter_map(|m| match m {
                Self::File { path, .. } | Self::Vit { path, .. } => Some(path.clone()),
                _ => None,
            })
            .collect()
    }
}

/// The canonical text of a spec: it parses back to an equal spec.
impl std::fmt::Display for ModelSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File {
                arch: Some(a),
                path,
            } => write!(f, "{}:{}", a.name(), path.display()),
            Self::File { arch: None, path } => write!(f, "{}", path.display()),
            Self::Vit {
                arch,
                path,
                readout,
            } => {
                f.write_str(arch)?;
                crate::spec_readout::write_readout(f, readout)?;
                write!(f, ":{}", path.display())
            }
            Self::Registry { name, readout } => {
                f.write_str(name)?;
                crate::spec_readout::write_readout(f, readout)
            }
            Self::Hub { repo, file } => write!(f, "hf:{repo}:{file}"),
            Self::Random { config, seed } => {
                write!(f, "random:{}:seed={seed}", config.arch.name())?;
                if config.width_mult != 1.0 {
                    write!(f, ":width={}", config.width_mult)?;
                }
                if config.stem == Stem::Cifar {
                    f.write_str(":stem=cifar")?;
                }
                Ok(())
            }
            Self::RandomVit {
                arch,
                seed,
                readout,
            } => {
                write!(f, "random:{arch}")?;
                crate::spec_readout::write_readout(f, readout)?;
                write!(f, ":seed={seed}")
            }
            Self::Fused { members, mode } => {
                if *mode != FuseMode::Cat {
                    write!(f, "{mode}:")?;
                }
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_str("+")?;
                    }
                    write!(f, "{m}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::str::FromStr for ModelSpec {
    type Err = EncoderError;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl serde::Serialize for ModelSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ModelSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}
