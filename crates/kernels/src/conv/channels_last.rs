//! One image from NCHW planes to channels last, the layout `im2row` gathers from.

use crate::cpu::Elem;

/// `hwc[px * c + ch] = x[ch * hw + px]`: one image from planes to channels last.
pub(super) fn to_channels_last<T: Elem>(x: &[T], hw: usize, c: usize, hwc: &mut [T]) {
    #[cfg(target_arch = "x86_64")]
    if c.is_multiple_of(8)
        && hw.is_multiple_of(8)
        && std::any::TypeId::of::<T>() == std::any::TypeId::of::<f32>()
        && std::arch::is_x86_feature_detected!("avx")
    {
        let n = hw * c;
        assert!(x.len() >= n && hwc.len() >= n);
        // SAFETY: T is f32 (checked above), the lengths cover `c` planes of `hw`, and the CPU has
        // AVX.
        unsafe {
            let x = std::slice::from_raw_parts(x.as_ptr().cast::<f32>(), n);
            let hwc = std::slice::from_raw_parts_mut(hwc.as_mut_ptr().cast::<f32>(), n);
            transpose_tiles_avx(x, hw, c, hwc);
        }
        return;
    }
    for (ch, plane) in x.chunks_exact(hw).enumerate() {
        for (px, &v) in hwc[ch..].iter_mut().step_by(c).zip(plane) {
            *px = v;
        }
    }
}

/// [`to_channels_last`] for f32 in 8 x 8 tiles: eight plane reads of 8 pixels, a transpose in
/// registers, eight runs of 8 channels written. The strided one-value stores it replaces were
/// half of `im2row`'s time. Moves values only, so the bits are the same.
///
/// # Safety
/// The CPU must have AVX; `c` and `hw` multiples of 8 with `x` and `hwc` of `hw * c` values.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn transpose_tiles_avx(x: &[f32], hw: usize, c: usize, hwc: &mut [f32]) {
    use std::arch::x86_64::*;
    for cb in (0..c).step_by(8) {
        for pb in (0..hw).step_by(8) {
            // SAFETY: rows cb..cb+8 of the planes hold pixels pb..pb+8, and pixels pb..pb+8 of
            // `hwc` hold channels cb..cb+8 (the caller's bounds).
            unsafe {
                let src = x.as_ptr().add(cb * hw + pb);
                let r: [__m256; 8] = std::array::from_fn(|i| _mm256_loadu_ps(src.add(i * hw)));
                let t0 = _mm256_unpacklo_ps(r[0], r[1]);
                let t1 = _mm256_unpackhi_ps(r[0], r[1]);
                let t2 = _mm256_unpacklo_ps(r[2], r[3]);
                let t3 = _mm256_unpackhi_ps(r[2], r[3]);
                let t4 = _mm256_unpacklo_ps(r[4], r[5]);
                let t5 = _mm256_unpackhi_ps(r[4], r[5]);
                let t6 = _mm256_unpacklo_ps(r[6], r[7]);
                let t7 = _mm256_unpackhi_ps(r[6], r[7]);
                let s0 = _mm256_shuffle_ps::<0x44>(t0, t2);
                let s1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
                let s2 = _mm256_shuffle_ps::<0x44>(t1, t3);
                let s3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
                let s4 = _mm256_shuffle_ps::<0x44>(t4, t6);
                let s5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
                let s6 = _mm256_shuffle_ps::<0x44>(t5, t7);
                let s7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
                let cols = [
                    _mm256_permute2f128_ps::<0x20>(s0, s4),
                    _mm256_permute2f128_ps::<0x20>(s1, s5),
                    _mm256_permute2f128_ps::<0x20>(s2, s6),
                    _mm256_permute2f128_ps::<0x20>(s3, s7),
                    _mm256_permute2f128_ps::<0x31>(s0, s4),
                    _mm256_permute2f128_ps::<0x31>(s1, s5),
                    _mm256_permute2f128_ps::<0x31>(s2, s6),
                    _mm256_permute2f128_ps::<0x31>(s3, s7),
                ];
                let dst = hwc.as_mut_ptr().add(pb * c + cb);
                for (j, col) in cols.into_iter().enumerate() {
                    _mm256_storeu_ps(dst.add(j * c), col);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_last_tiles_match_the_plain_copy() {
        for (hw, c) in [(64, 16), (16, 8), (1024, 32), (24, 3), (12, 8)] {
            let x: Vec<f32> = (0..hw * c).map(|i| i as f32 * 0.5 - 7.0).collect();
            let mut fast = vec![f32::NAN; hw * c];
            to_channels_last(&x, hw, c, &mut fast);
            for ch in 0..c {
                for px in 0..hw {
                    assert_eq!(fast[px * c + ch].to_bits(), x[ch * hw + px].to_bits());
                }
            }
        }
    }
}
