//! The encoders a study measures: pretrained here, given by the user, and the baselines.

use serde::{Deserialize, Serialize};

use crate::preset::{Preset, SourceKind};

/// Why a model is in the study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Pretrained by this study (a policy of the preset).
    #[default]
    Pretrained,
    /// Given with `--models NAME=SPEC`.
    Given,
    /// A reference point: random initialisation or supervised training.
    Baseline,
    /// The concatenation of the pretrained (or given) models.
    Fusion,
}

/// How a model is obtained.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelSource {
    /// Pretrained by the study.
    Pretrain {
        /// Augmentation policy.
        policy: String,
        /// Objective (`moco-v2`, ..., or `supervised`).
        objective: String,
        /// Width multiplier.
        width_mult: f64,
    },
    /// Loaded from a model spec.
    Spec(String),
    /// Features of the members concatenated.
    Fused(Vec<String>),
}

/// One model of the study.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelEntry {
    /// Name in results.
    pub name: String,
    /// Why it is here.
    pub role: Role,
    /// How it is obtained.
    pub source: ModelSource,
}

impl ModelEntry {
    /// Members of a fusion, or the model itself.
    pub fn members(&self) -> Vec<String> {
        match &self.source {
            ModelSource::Fused(m) => m.clone(),
            _ => vec![self.name.clone()],
        }
    }

    /// Whether the study pretrains it.
    pub fn is_pretrained_here(&self) -> bool {
        matches!(self.source, ModelSource::Pretrain { .. })
    }
}

/// Name of the random-init baseline.
pub const RANDOM: &str = "random";
/// Name of the supervised baseline.
pub const SUPERVISED: &str = "supervised";

/// The models of a study: the preset's (or the given ones), the baselines, and the fusion of
/// the non-baseline models when there are at least two.
pub fn models(preset: &Preset, given: &[(String, String)]) -> Vec<ModelEntry> {
    let p = &preset.pretrain;
    let mut out: Vec<ModelEntry> = if given.is_empty() {
        preset
            .models
            .iter()
            .map(|m| ModelEntry {
                name: m.name.clone(),
                role: Role::Pretrained,
                source: ModelSource::Pretrain {
                    policy: m.policy.clone(),
                    objective: p.objective.clone(),
                    width_mult: m.width_mult.unwrap_or(p.width_mult),
                },
            })
            .collect()
    } else {
        given
            .iter()
            .map(|(name, spec)| ModelEntry {
                name: name.clone(),
                role: Role::Given,
                source: ModelSource::Spec(spec.clone()),
            })
            .collect()
    };
    // Fusion of the measured encoders of one width (the 3x-wide model is a comparison point).
    let members: Vec<String> = out
        .iter()
        .filter(|m| match &m.source {
            ModelSource::Pretrain { width_mult, .. } => *width_mult == p.width_mult,
            _ => true,
        })
        .map(|m| m.name.clone())
        .collect();
    if preset.baselines.random {
        out.push(ModelEntry {
            name: RANDOM.into(),
            role: Role::Baseline,
            source: ModelSource::Spec(random_spec(preset)),
        });
    }
    if preset.baselines.supervised {
        let source = match preset.data.source {
            // torchvision's supervised recipe augments with crop + flip: the Ventral policy.
            SourceKind::Synth3d => ModelSource::Pretrain {
                policy: "ventral".into(),
                objective: "supervised".into(),
                width_mult: p.width_mult,
            },
            // On real data the paper's supervised baseline is torchvision's ImageNet model.
            SourceKind::Root => ModelSource::Spec(format!("torchvision/{}", p.arch)),
        };
        out.push(ModelEntry {
            name: SUPERVISED.into(),
            role: Role::Baseline,
            source,
        });
    }
    if preset.fusion.enabled && members.len() >= 2 {
        out.push(ModelEntry {
            name: members.join("+"),
            role: Role::Fusion,
            source: ModelSource::Fused(members),
        });
    }
    out
}

/// The random-init baseline's spec: the pretrained models' architecture, seeded.
pub fn random_spec(preset: &Preset) -> String {
    let p = &preset.pretrain;
    format!(
        "random:{}:seed={}:width={}:stem={}",
        p.arch, preset.seed, p.width_mult, p.stem
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_has_three_policies_baselines_and_their_fusion() {
        let mut preset = Preset::load("demo").unwrap();
        preset.baselines.supervised = true;
        let m = models(&preset, &[]);
        let names: Vec<&str> = m.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "default",
                "ventral",
                "dorsal",
                "random",
                "supervised",
                "default+ventral+dorsal"
            ]
        );
        assert_eq!(m[5].members(), ["default", "ventral", "dorsal"]);
        assert!(m[4].is_pretrained_here());
    }

    #[test]
    fn the_wide_model_is_not_fused_and_given_models_replace_the_preset() {
        let preset = Preset::load("paper").unwrap();
        let m = models(&preset, &[]);
        let fused = m.iter().find(|m| m.role == Role::Fusion).unwrap();
        assert_eq!(fused.members(), ["default", "ventral", "dorsal"]);
        let given = vec![("a".to_string(), "torchvision/resnet50".to_string())];
        let m = models(&preset, &given);
        assert_eq!(m[0].role, Role::Given);
        assert!(
            m.iter().all(|m| m.role != Role::Fusion),
            "one given model: no fusion"
        );
    }
}
