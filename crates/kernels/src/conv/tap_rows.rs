//! The rows of one channel's taps in an im2col matrix, copied from a padded plane as runs.

use super::Geom;
use crate::cpu::Elem;

/// Fills the `kh * kw` rows (stride `ld`) of one channel's taps from its padded plane (row
/// length `w + 2 pad`), for a stride-1 conv.
#[inline(always)]
pub(super) fn tap_rows<T: Elem>(
    g: &Geom,
    padded: &[T],
    rows: &mut [T],
    ld: usize,
    copy: impl Fn(&mut [T], &[T]),
) {
    let (pw, zero) = (g.w + 2 * g.pad, T::from_f64(0.0));
    for ki in 0..g.kh {
        for kj in 0..g.kw {
            let row = &mut rows[(ki * g.kw + kj) * ld..][..g.p()];
            for (oy, dst) in row.chunks_exact_mut(g.ow).enumerate() {
                let iy = (oy + ki).wrapping_sub(g.pad);
                if iy >= g.h {
                    dst.fill(zero);
                } else {
                    copy(dst, &padded[iy * pw + kj..][..g.ow]);
                }
            }
        }
    }
}

/// `dst = src` for runs of exactly `N` elements, as one fixed-size copy.
#[inline(always)]
pub(super) fn copy_fixed<T: Copy, const N: usize>(dst: &mut [T], src: &[T]) {
    let d: &mut [T; N] = dst.try_into().expect("run of N");
    *d = *<&[T; N]>::try_from(src).expect("run of N");
}
