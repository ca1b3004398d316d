//! Random-init specs: `random:ARCH[:seed=N][:width=W][:stem=S]` for ResNets (PyTorch's seeded
//! initialisation) and `random:VIT_ARCH[@POOL][@lastN][:seed=N]` for ViTs (timm's).

use crate::config::{Arch, ResNetConfig, Stem};
use crate::error::{EncoderError, Result};
use crate::spec::{ModelSpec, bad};

/// The spec after `random:` (`rest`), `spec` being the whole member for errors.
pub(crate) fn parse_random(spec: &str, rest: &str) -> Result<ModelSpec> {
    let mut parts = rest.split(':');
    let head = parts.next().unwrap_or_default();
    if crate::vit::ViTConfig::is_vit_name(head.split('@').next().unwrap_or_default()) {
        return parse_random_vit(spec, head, parts);
    }
    let arch: Arch = head.parse().map_err(|e| {
        let why = match e {
            EncoderError::Spec { reason, .. } => reason,
            other => other.to_string(),
        };
        bad(
            spec,
            format!("{why}; expected random:ARCH[:seed=N][:width=W][:stem=imagenet|cifar]"),
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

/// `VIT_ARCH[@POOL][@lastN]` as `head`, then its `:`-separated options (only `seed=N`).
fn parse_random_vit<'a>(
    spec: &str,
    head: &str,
    options: impl Iterator<Item = &'a str>,
) -> Result<ModelSpec> {
    let mut items = head.split('@');
    let arch = items.next().unwrap_or_default().to_ascii_lowercase();
    crate::vit::ViTConfig::timm(&arch)?;
    let readout = crate::spec_readout::parse_readout(spec, items)?;
    let mut seed = 0;
    for part in options {
        match part.split_once('=') {
            Some(("seed", v)) => {
                seed = v
                    .trim()
                    .parse()
                    .map_err(|_| bad(spec, format!("seed={v}: not a valid integer")))?
            }
            _ => {
                return Err(bad(
                    spec,
                    format!("`{part}`: a random ViT takes seed=N only"),
                ));
            }
        }
    }
    Ok(ModelSpec::RandomVit {
        arch,
        seed,
        readout,
    })
}
