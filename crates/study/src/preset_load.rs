//! Loading a preset: the built-in TOML files embedded in the crate, or a user's own file, parsed
//! and checked for values no study can run with.

use std::path::Path;

use crate::error::{Result, StudyError};
use crate::preset::Preset;

/// The presets shipped with the crate, by name.
pub const BUILTIN: [(&str, &str); 6] = [
    ("demo", include_str!("../presets/demo.toml")),
    ("demo-quick", include_str!("../presets/demo-quick.toml")),
    ("demo-long", include_str!("../presets/demo-long.toml")),
    ("smoke", include_str!("../presets/smoke.toml")),
    ("quick", include_str!("../presets/quick.toml")),
    ("paper", include_str!("../presets/paper.toml")),
];

impl Preset {
    /// A built-in preset by name, or a TOML file by path.
    pub fn load(name_or_path: &str) -> Result<Preset> {
        if let Some((_, text)) = BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
            return Self::parse(text, &format!("built-in preset `{name_or_path}`"));
        }
        let path = Path::new(name_or_path);
        if path.extension().is_some_and(|e| e == "toml") || path.exists() {
            let text = std::fs::read_to_string(path).map_err(|source| StudyError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            return Self::parse(&text, &path.display().to_string());
        }
        let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
        Err(StudyError::Preset {
            origin: name_or_path.to_string(),
            message: format!(
                "no such preset (built in: {}; or a .toml file)",
                names.join(", ")
            ),
        })
    }

    /// Parses a preset from TOML text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Preset> {
        let preset: Preset = toml::from_str(text).map_err(|e| StudyError::Preset {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        preset.validate().map_err(|message| StudyError::Preset {
            origin: origin.to_string(),
            message,
        })?;
        Ok(preset)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let p = &self.pretrain;
        if p.batch_size == 0 || p.image_size == 0 || p.epochs == 0 {
            return Err("pretrain: batch_size, image_size and epochs must be positive".into());
        }
        if !(p.width_mult > 0.0 && p.width_mult.is_finite()) {
            return Err(format!(
                "pretrain.width_mult = {}: must be positive",
                p.width_mult
            ));
        }
        let inv = &self.invariance;
        if inv.batch == 0 || inv.stats_images < 2 {
            return Err("invariance: batch must be positive and stats_images at least 2".into());
        }
        if inv.k == Some(0) {
            return Err("invariance.k = 0: a sweep needs at least one setting".into());
        }
        if self.probe.folds < 2 {
            return Err(format!("probe.folds = {}: at least 2", self.probe.folds));
        }
        if !(0.05..=0.5).contains(&self.fusion.val_share) {
            return Err(format!(
                "fusion.val_share = {}: between 0.05 and 0.5",
                self.fusion.val_share
            ));
        }
        if let Some(ts) = &inv.transforms {
            for t in ts {
                t.parse::<sslinv_augment::Transform>()
                    .map_err(|e| format!("invariance.transforms: `{t}`: {e}"))?;
            }
        }
        if !["default", "corrected", "paper-code"].contains(&self.protocol.as_str()) {
            return Err(format!(
                "protocol = `{}`: expected `default` or `paper-code`",
                self.protocol
            ));
        }
        let mut names: Vec<&str> = self.models.iter().map(|m| m.name.as_str()).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err("models: names must be unique".into());
        }
        if let Some(bad) = self
            .models
            .iter()
            .find(|m| m.name.is_empty() || m.name.contains(['+', '/', '\\']))
        {
            return Err(format!(
                "models: `{}` is not a plain name (no `+` or `/`)",
                bad.name
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_protocol_selects_the_paper_codes_quirks() {
        let mut p = Preset::load("smoke").unwrap();
        assert_eq!(p.fidelity(), sslinv_augment::Protocol::Corrected);
        p.protocol = "paper-code".into();
        assert_eq!(p.fidelity(), sslinv_augment::Protocol::PaperCode);
        assert!(p.fidelity().ridge_alpha_is_inverse());
    }

    #[test]
    fn every_builtin_parses() {
        for (name, _) in BUILTIN {
            let p = Preset::load(name).unwrap();
            assert_eq!(p.name, name);
        }
    }

    #[test]
    fn unknown_keys_and_wrong_types_name_the_key() {
        let text = BUILTIN[0].1.replace("folds = ", "foldz = ");
        let e = Preset::parse(&text, "mine.toml").unwrap_err().to_string();
        assert!(e.contains("foldz") && e.contains("mine.toml"), "{e}");
        let text = BUILTIN[0]
            .1
            .replace("stats_images = ", "stats_images = \"many\" #");
        let e = Preset::parse(&text, "mine.toml").unwrap_err().to_string();
        assert!(e.contains("stats_images"), "{e}");
    }

    #[test]
    fn unknown_names_list_the_valid_ones() {
        let e = Preset::load("nope").unwrap_err().to_string();
        assert!(e.contains("demo") && e.contains("smoke"), "{e}");
    }
}
