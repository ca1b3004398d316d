//! Which latents each split holds: pretraining, probe train/test, and the view groups that sweep
//! one factor of a fixed object instance.

use super::config::Synth3dConfig;
use super::error::Synth3dError;
use super::latents::{Latents, ranges};
use super::seeds::item_rng;
use rand::Rng;
use std::f32::consts::{PI, TAU};

/// The factor a view group sweeps while everything else stays fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GroupKind {
    /// The object spins about its vertical axis (yaw) through a full turn, like ALOI's viewpoints.
    Viewpoint,
    /// The light moves across its azimuth range, like ALOI's illumination directions.
    Illumination,
    /// The light colour temperature runs from warm to cold, like ALOI's colour temperatures.
    Temperature,
}

impl GroupKind {
    /// Every kind, in cache order.
    pub const ALL: [GroupKind; 3] = [
        GroupKind::Viewpoint,
        GroupKind::Illumination,
        GroupKind::Temperature,
    ];

    /// Position in `ALL`.
    pub fn index(self) -> usize {
        match self {
            GroupKind::Viewpoint => 0,
            GroupKind::Illumination => 1,
            GroupKind::Temperature => 2,
        }
    }

    /// Lower-case name (`viewpoint`, `illumination`, `temperature`).
    pub fn name(self) -> &'static str {
        match self {
            GroupKind::Viewpoint => "viewpoint",
            GroupKind::Illumination => "illumination",
            GroupKind::Temperature => "temperature",
        }
    }
}

impl std::fmt::Display for GroupKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for GroupKind {
    type Err = Synth3dError;

    /// Parses `viewpoint`, `illumination` or `temperature` (case-insensitive).
    fn from_str(s: &str) -> Result<GroupKind, Synth3dError> {
        GroupKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| Synth3dError::UnknownGroupKind(s.to_string()))
    }
}

/// Split tags mixed into per-image seeds.
const PRETRAIN: u64 = 1;
const TRAIN: u64 = 2;
const TEST: u64 = 3;
const GROUPS: u64 = 4;

/// Pretraining latents: classes drawn at random.
pub fn pretrain_latents(cfg: &Synth3dConfig) -> Vec<Latents> {
    (0..cfg.n_pretrain)
        .map(|i| {
            let mut rng = item_rng(cfg.seed, PRETRAIN, i as u64);
            let class = rng.random_range(0..Latents::CLASS_COUNT as i64);
            Latents::sample(class, &mut rng)
        })
        .collect()
}

/// Probe latents: classes cycle so every class is equally represented.
pub fn probe_latents(cfg: &Synth3dConfig, test: bool) -> Vec<Latents> {
    let (tag, n) = if test {
        (TEST, cfg.n_test)
    } else {
        (TRAIN, cfg.n_train)
    };
    (0..n)
        .map(|i| {
            Latents::sample(
                (i % Latents::CLASS_COUNT) as i64,
                &mut item_rng(cfg.seed, tag, i as u64),
            )
        })
        .collect()
}

/// The view groups of one kind: a random instance per group, then an even sweep of one factor.
pub fn group_latents(cfg: &Synth3dConfig, kind: GroupKind) -> Vec<Vec<Latents>> {
    let views = cfg.views_per_group;
    (0..cfg.n_groups)
        .map(|g| {
            let mut rng = item_rng(cfg.seed, GROUPS + kind.index() as u64, g as u64);
            let base = Latents::sample((g % Latents::CLASS_COUNT) as i64, &mut rng);
            (0..views).map(|v| sweep(base, kind, v, views)).collect()
        })
        .collect()
}

/// View `v` of `views` of a group around `base`.
pub fn sweep(base: Latents, kind: GroupKind, v: usize, views: usize) -> Latents {
    let t = if views > 1 {
        v as f32 / (views - 1) as f32
    } else {
        0.5
    };
    let lerp = |(lo, hi): (f32, f32)| lo + (hi - lo) * t;
    let mut l = base;
    match kind {
        GroupKind::Viewpoint => {
            let yaw = base.yaw + TAU * v as f32 / views.max(1) as f32;
            l.yaw = (yaw + PI).rem_euclid(TAU) - PI;
        }
        GroupKind::Illumination => l.light_azimuth = lerp(ranges::AZIMUTH),
        GroupKind::Temperature => l.light_temperature = lerp(ranges::TEMPERATURE),
    }
    l
}
