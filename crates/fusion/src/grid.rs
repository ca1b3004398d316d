//! The regularisation grid shift for fused (wider) features, as the paper.

use crate::error::Result;
use sslinv_encoders::ModelSpec;

/// Grid shift c for a probe on features from `n_members` encoders (c = members - 1).
///
/// The paper shifts the grid logspace(-6+2c, 5+2c, 45) because concatenated features have a
/// proportionally larger norm; a 3x-wide model is treated like three fused encoders.
pub fn grid_shift(n_members: usize, width_mult: f64) -> f64 {
    let from_members = n_members.saturating_sub(1) as f64;
    let from_width = (width_mult.round() - 1.0).max(0.0);
    from_members.max(from_width)
}

/// Grid shift for a model spec: its member count and its widest member's width multiplier
/// (from the spec, the registry or a checkpoint's model card; see [`ModelSpec::width_mult`]).
/// `width_mult` overrides the width the spec gives (for checkpoints without a card).
pub fn grid_shift_for(spec: &ModelSpec, width_mult: Option<f64>) -> Result<f64> {
    let width = match width_mult {
        Some(w) => w,
        None => spec.width_mult()?,
    };
    Ok(grid_shift(spec.members().len(), width))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_paper() {
        assert_eq!(grid_shift(1, 1.0), 0.0);
        assert_eq!(grid_shift(2, 1.0), 1.0);
        assert_eq!(grid_shift(3, 1.0), 2.0);
        assert_eq!(grid_shift(1, 3.0), 2.0);
    }

    #[test]
    fn specs_give_members_and_width() -> Result<()> {
        let a = "random:resnet18:seed=1";
        let spec = |s: &str| ModelSpec::parse(s).unwrap();
        assert_eq!(grid_shift_for(&spec(a), None)?, 0.0);
        assert_eq!(grid_shift_for(&spec(&format!("{a}+{a}")), None)?, 1.0);
        assert_eq!(
            grid_shift_for(&spec(&format!("mean:{a}+{a}+{a}")), None)?,
            2.0
        );
        assert_eq!(grid_shift_for(&spec("random:resnet50:width=3"), None)?, 2.0);
        assert_eq!(grid_shift_for(&spec("resnet50:ckpt.pth"), None)?, 0.0);
        assert_eq!(grid_shift_for(&spec("resnet50:ckpt.pth"), Some(3.0))?, 2.0);
        Ok(())
    }
}
