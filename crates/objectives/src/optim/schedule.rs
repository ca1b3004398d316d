//! Learning-rate rules: the linear batch-size scaling and the cosine schedule.

use std::f64::consts::PI;

/// `base_lr x batch / 256` (MoCo, SimCLR and BYOL scale their rates this way).
pub fn scaled_lr(base_lr: f64, batch_size: usize) -> f64 {
    base_lr * batch_size as f64 / 256.0
}

/// Cosine decay without warm-up: `lr x 0.5 (1 + cos(pi t / total))`, t clamped to [0, total].
///
/// MoCo v2 evaluates it per epoch; the loop here evaluates it per step (t = step, total = all
/// steps), which equals the per-epoch rule at epoch boundaries and is smoother for short runs.
pub fn cosine_lr(lr: f64, t: f64, total: f64) -> f64 {
    if total <= 0.0 {
        return lr;
    }
    let progress = (t / total).clamp(0.0, 1.0);
    lr * 0.5 * (1.0 + (PI * progress).cos())
}

/// Linear warm-up over `warmup` steps followed by cosine decay (SimCLR, BYOL, Barlow Twins).
pub fn warmup_cosine_lr(lr: f64, step: u64, warmup: u64, total: u64) -> f64 {
    if step < warmup {
        return lr * (step + 1) as f64 / warmup as f64;
    }
    cosine_lr(
        lr,
        (step - warmup) as f64,
        total.saturating_sub(warmup) as f64,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_ends_and_middle() {
        assert!((cosine_lr(0.03, 0.0, 200.0) - 0.03).abs() < 1e-15);
        assert!((cosine_lr(0.03, 100.0, 200.0) - 0.015).abs() < 1e-12);
        assert!(cosine_lr(0.03, 200.0, 200.0).abs() < 1e-15);
        // MoCo's per-epoch value at epoch 50 of 200: 0.03 * 0.5 * (1 + cos(pi/4)).
        assert!((cosine_lr(0.03, 50.0, 200.0) - 0.025606601717798213).abs() < 1e-12);
    }

    #[test]
    fn scaling_and_warmup() {
        assert!((scaled_lr(0.03, 256) - 0.03).abs() < 1e-15);
        assert!((scaled_lr(0.03, 64) - 0.0075).abs() < 1e-15);
        assert!((warmup_cosine_lr(1.0, 0, 10, 110) - 0.1).abs() < 1e-12);
        assert!((warmup_cosine_lr(1.0, 10, 10, 110) - 1.0).abs() < 1e-12);
        assert!(warmup_cosine_lr(1.0, 110, 10, 110).abs() < 1e-12);
    }
}
