//! The regularisation grid shift for fused (wider) features, as the paper.

/// Grid shift c for a probe on features from `n_members` encoders (c = members - 1).
///
/// The paper shifts the grid logspace(-6+2c, 5+2c, 45) because concatenated features have a
/// proportionally larger norm; a 3x-wide model is treated like three fused encoders.
pub fn grid_shift(n_members: usize, width_mult: f64) -> f64 {
    let from_members = n_members.saturating_sub(1) as f64;
    let from_width = (width_mult.round() - 1.0).max(0.0);
    from_members.max(from_width)
}

#[cfg(test)]
mod tests {
    use super::grid_shift;

    #[test]
    fn matches_the_paper() {
        assert_eq!(grid_shift(1, 1.0), 0.0);
        assert_eq!(grid_shift(2, 1.0), 1.0);
        assert_eq!(grid_shift(3, 1.0), 2.0);
        assert_eq!(grid_shift(1, 3.0), 2.0);
    }
}
