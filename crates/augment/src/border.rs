//! The mirrored border index shared by the blurs and warps: OpenCV's `BORDER_REFLECT_101` and
//! PyTorch's "reflect" padding are the same rule (the edge pixel is not repeated).

/// Index into `0..n` for position `i`, mirrored about the edges as often as needed (so kernels
/// wider than the image still work).
#[inline]
pub(crate) fn reflect101(i: i64, n: i64) -> i64 {
    if n == 1 {
        return 0;
    }
    let period = 2 * (n - 1);
    let m = i.rem_euclid(period);
    if m < n { m } else { period - m }
}

#[cfg(test)]
mod tests {
    use super::reflect101;

    #[test]
    fn mirrors_without_repeating_the_edge() {
        assert_eq!(reflect101(-1, 5), 1);
        assert_eq!(reflect101(5, 5), 3);
        assert_eq!(reflect101(-9, 5), 1);
        assert_eq!(reflect101(13, 5), 3);
        assert_eq!(reflect101(7, 1), 0);
        // Against the unfolded definition: reflect until inside.
        for n in 1..7i64 {
            for i in -30..30i64 {
                let mut p = i;
                while n > 1 && (p < 0 || p >= n) {
                    p = if p < 0 { -p } else { 2 * (n - 1) - p };
                }
                let want = if n == 1 { 0 } else { p };
                assert_eq!(reflect101(i, n), want, "i={i} n={n}");
            }
        }
    }
}
