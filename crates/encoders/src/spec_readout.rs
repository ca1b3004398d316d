//! ViT readouts in model specs: the `@` suffixes (`@cls`, `@mean`, `@clsmean`, `@lastN`) and
//! the `--pool` / `--layers` flags applied to a parsed spec.

use crate::error::Result;
use crate::registry;
use crate::spec::{ModelSpec, bad};
use crate::vit::{Pool, Readout};

/// A ViT readout from the spec's `@` suffixes (`@cls`, `@mean`, `@clsmean`, `@lastN`).
pub(crate) fn parse_readout<'a>(
    spec: &str,
    items: impl Iterator<Item = &'a str>,
) -> Result<Readout> {
    let mut readout = Readout::default();
    for item in items {
        match item.strip_prefix("last").map(str::parse::<usize>) {
            Some(Ok(n)) if n > 0 => readout.layers = n,
            Some(_) => return Err(bad(spec, format!("`@{item}`: expected @lastN, N >= 1"))),
            None => readout.pool = item.parse()?,
        }
    }
    Ok(readout)
}

/// Writes a readout as the spec's `@` suffixes (nothing for the default).
pub(crate) fn write_readout(
    f: &mut std::fmt::Formatter<'_>,
    readout: &Readout,
) -> std::fmt::Result {
    if readout.pool != Pool::Default {
        // `cls+mean` would read as a fusion: the spec spells it `clsmean`.
        write!(f, "@{}", readout.pool.to_string().replace('+', ""))?;
    }
    if readout.layers != 1 {
        write!(f, "@last{}", readout.layers)?;
    }
    Ok(())
}

/// `readout` with the given pooling and/or block count in place of its own.
fn overridden(mut readout: Readout, pool: Option<Pool>, layers: Option<usize>) -> Readout {
    readout.pool = pool.unwrap_or(readout.pool);
    readout.layers = layers.unwrap_or(readout.layers);
    readout
}

impl ModelSpec {
    /// The spec with its ViT members' pooling and/or block count replaced (the `--pool` and
    /// `--layers` flags); other members are unchanged.
    pub fn with_readout(self, pool: Option<Pool>, layers: Option<usize>) -> Self {
        match self {
            Self::Vit {
                arch,
                path,
                readout,
            } => Self::Vit {
                arch,
                path,
                readout: overridden(readout, pool, layers),
            },
            Self::RandomVit {
                arch,
                seed,
                readout,
            } => Self::RandomVit {
                arch,
                seed,
                readout: overridden(readout, pool, layers),
            },
            Self::Registry { name, readout }
                if registry::lookup(&name).is_some_and(|e| e.is_vit()) =>
            {
                let readout = overridden(readout, pool, layers);
                Self::Registry { name, readout }
            }
            Self::Fused { members, mode } => Self::Fused {
                members: members
                    .into_iter()
                    .map(|m| m.with_readout(pool, layers))
                    .collect(),
                mode,
            },
            other => other,
        }
    }

    /// The spec with `--pool` / `--layers` applied to its ViT members (unchanged without
    /// them); an error when they are given and no member is a ViT.
    pub fn with_readout_flags(self, pool: Option<&str>, layers: Option<usize>) -> Result<Self> {
        if pool.is_none() && layers.is_none() {
            return Ok(self);
        }
        let text = self.to_string();
        let pool = pool.map(str::parse).transpose()?;
        let spec = self.with_readout(pool, layers);
        if !spec.has_vit() {
            return Err(bad(
                &text,
                "--pool / --layers apply to ViT specs; it has none",
            ));
        }
        Ok(spec)
    }

    /// Whether any member is a ViT (a ViT checkpoint or a registry ViT): readouts apply to it.
    pub fn has_vit(&self) -> bool {
        self.members().iter().any(|m| match m {
            Self::Vit { .. } | Self::RandomVit { .. } => true,
            Self::Registry { name, .. } => registry::lookup(name).is_some_and(|e| e.is_vit()),
            _ => false,
        })
    }
}
