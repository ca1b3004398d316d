//! Winograd F(2x2, 3x3) for the stride-1, padding-1 3x3 convolutions of training (Lavin and
//! Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).
//!
//! Each 2x2 block of output pixels is `A^T [(G g G^T) . (B^T d B)] A` for the 4x4 input tile `d`
//! around it: per input channel the tile becomes 16 numbers, per filter the 3x3 kernel becomes 16
//! numbers, and the channel sum is 16 independent GEMMs (one per tile position) of
//! `(Co, C) x (C, tiles)`. That is 16 multiplies per 4 output pixels instead of 36, and the
//! transformed tiles are 4 values per input pixel where im2col writes 9. The results differ from
//! the im2col GEMM's in the last bits (the transforms add and halve before multiplying); they do
//! not depend on the thread count, and each image is computed on its own, so a batch split over
//! ranks gives the same bits.

use super::winograd_tiles::{transform_tiles, untransform_tiles};
use super::{Geom, tile_io};
#[cfg(target_arch = "x86_64")]
use super::{winograd_avx512, winograd_small};
use crate::cpu::{Elem, SendPtr, gemm_rm, scratch};
use gemm::Parallelism;
use rayon::prelude::*;

/// Values per transformed tile (4x4).
const E: usize = 16;

/// Whether training runs `g` here: f32 values, a 3x3 kernel with stride 1 and padding 1 (so the
/// output map is the input's), and channels and tiles enough for the 16 GEMMs to pay for the
/// transforms: the 3-channel stem, 1x1 maps (where im2col keeps only the centre tap) and small
/// batches of small maps (below) stay on im2col, which is faster there.
pub(super) fn applies<T: Elem>(g: &Geom) -> bool {
    T::DTYPE == candle_core::DType::F32
        && (g.kh, g.kw, g.stride, g.pad) == (3, 3, 1, 1)
        && g.c >= 8
        && g.co >= 8
        && g.h >= 2
        && g.w >= 2
        && g.n * tiles(g).0 * tiles(g).1 >= MIN_TILES
}

/// Fewest tiles in a batch for Winograd: its weight transform (16 values per kernel, every call)
/// costs about as much as the products of 32 tiles, so a batch of 8 images on 4x4 maps (MoCo
/// v2's sub-batches on the last stage) is faster on im2col.
const MIN_TILES: usize = 64;

/// Tile counts of an image: (rows, columns).
fn tiles(g: &Geom) -> (usize, usize) {
    tile_io::tile_counts(g.h, g.w)
}

/// Images per chunk: the batch shared out over the threads, one chunk each, in chunks whose
/// transformed input and output (16 values per tile and channel each) stay near 1 MiB. Unlike
/// im2col's plan this may depend on the thread count and the batch: every image is computed on
/// its own, so the chunks never change a value.
fn per_chunk(g: &Geom, threads: usize) -> usize {
    const MAX_FLOATS: usize = 1 << 18;
    let (th, tw) = tiles(g);
    let fit = MAX_FLOATS / (E * (g.c + g.co) * th * tw).max(1);
    g.n.div_ceil(threads.max(1)).min(fit).max(1)
}

/// `U[e][co][c]` at `u[e * us + co * C + c]`: every filter's 3x3 kernel as `G g G^T` (`w` is
/// `(Co, C, 3, 3)`, kernel `q` of the `Co * C` goes to `u[e * us + q]`). The rows are padded by a
/// cache line, as the tiles' rows: at a power-of-two stride the 16 stores of a group of kernels
/// fall in one L1 set.
fn transform_weights(w: &[f32]) -> (Vec<f32>, usize) {
    /// Kernels per task (a multiple of 16, the AVX-512 group).
    const PART: usize = 1024;
    let pairs = w.len() / 9;
    let us = pairs + 16;
    // SAFETY: every part writes all 16 rows of its kernels; the padding is never read.
    let mut u = unsafe { scratch::<f32>(E * us) };
    let up = SendPtr(u.as_mut_ptr());
    // In parallel: a serial pass here left the other threads waiting on every conv call.
    w.par_chunks(PART * 9).enumerate().for_each(|(p, part)| {
        let q0 = p * PART;
        let mut done = 0;
        #[cfg(target_arch = "x86_64")]
        if crate::simd::has_wide() {
            // SAFETY: AVX-512F checked; this part writes only its own columns of u's 16 rows.
            done = unsafe { winograd_avx512::transform_weights(part, (up.get().add(q0), us)) };
        }
        for (q, k) in part.chunks_exact(9).enumerate().skip(done) {
            let out = kernel_transform(k.try_into().expect("9 taps"));
            for (e, v) in out.into_iter().enumerate() {
                // SAFETY: column q0 + q of row e, this part's own.
                unsafe { *up.get().add(e * us + q0 + q) = v };
            }
        }
    });
    (u, us)
}

/// `G k G^T` of one 3x3 kernel (row-major), position `4r + s`.
pub(super) fn kernel_transform(k: [f32; 9]) -> [f32; 16] {
    // G along the rows, then along the columns: x -> (x0, (x0 + x1 + x2) / 2, (x0 - x1 + x2) / 2, x2).
    let g = |a: f32, b: f32, d: f32| [a, 0.5 * (a + b + d), 0.5 * (a - b + d), d];
    let cols: [[f32; 4]; 3] = std::array::from_fn(|j| g(k[j], k[3 + j], k[6 + j]));
    let mut out = [0f32; 16];
    for r in 0..4 {
        let row = g(cols[0][r], cols[1][r], cols[2][r]);
        out[4 * r..4 * r + 4].copy_from_slice(&row);
    }
    out
}

/// The weight `w (Co, C, kh, kw)` as `(C, Co, kh, kw)` rotated by 180 degrees: the kernels of the
/// conv that maps a stride-1 "same" conv's output gradient to its input gradient.
pub(super) fn rotated<T: Elem>(g: &Geom, w: &[T]) -> Vec<T> {
    let kk = g.kh * g.kw;
    // SAFETY: every input channel's row of kernels is written in full below.
    let mut out = unsafe { scratch::<T>(w.len()) };
    out.par_chunks_mut(g.co * kk)
        .enumerate()
        .for_each(|(c, row)| {
            for (o, dst) in row.chunks_exact_mut(kk).enumerate() {
                let src = &w[(o * g.c + c) * kk..][..kk];
                dst.iter_mut()
                    .zip(src.iter().rev())
                    .for_each(|(d, &s)| *d = s);
            }
        });
    out
}

/// Whether the AVX-512 passes run (else the portable ones).
fn wide_path() -> bool {
    #[cfg(target_arch = "x86_64")]
    return crate::simd::has_wide();
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Runs `f(i)` for `i` in `0..n`, on the pool's threads when `par`.
fn each(n: usize, par: bool, f: impl Fn(usize) + Sync + Send) {
    if par {
        (0..n).into_par_iter().for_each(f);
    } else {
        (0..n).for_each(f);
    }
}

/// The convolution of `x (N, C, H, W)` with `w (Co, C, 3, 3)`, stride 1, padding 1, where
/// [`applies`].
pub(super) fn forward(g: &Geom, x: &[f32], w: &[f32]) -> Vec<f32> {
    let (u, us) = transform_weights(w);
    let (th, tw) = tiles(g);
    let tpi = th * tw;
    let hw = g.h * g.w;
    let (in_len, out_len) = (g.c * hw, g.co * hw);
    // SAFETY: every chunk writes all of its images' output planes.
    let mut y = unsafe { scratch::<f32>(g.n * out_len) };
    let yp = SendPtr(y.as_mut_ptr());
    let wide = wide_path();
    // Maps of a few tiles: the gathers' pixel offsets, the same for every chunk.
    #[cfg(target_arch = "x86_64")]
    let small = (wide && winograd_small::fits(g)).then(|| {
        (
            winograd_small::pattern::<16>(g, in_len),
            winograd_small::pattern::<4>(g, out_len),
        )
    });
    let per = per_chunk(g, rayon::current_num_threads());
    let chunks = g.n.div_ceil(per);
    let inner = chunks < rayon::current_num_threads();
    each(chunks, !inner, |ci| {
        let first = ci * per;
        let m = per.min(g.n - first);
        let ld = m * tpi;
        // v[e * vs + c * ldr + t] and mo[e * ms + co * ldr + t]: the GEMMs' operands and results.
        // Rows and positions are padded by a cache line: at power-of-two strides the 16 stores
        // of one group of tiles (a line per position) all fell in the same L1 set.
        let ldr = ld + 16;
        let (vs, ms) = (g.c * ldr + 16, g.co * ldr + 16);
        // SAFETY: the transforms write every tile of every (image, channel) below, and each
        // GEMM overwrites its whole result; the padding is never read.
        let mut v = unsafe { scratch::<f32>(E * vs) };
        let mut mo = unsafe { scratch::<f32>(E * ms) };
        let (vp, mp) = (SendPtr(v.as_mut_ptr()), SendPtr(mo.as_mut_ptr()));
        each(g.c, inner, |c| {
            // SAFETY: channel c writes only its row of each position of v.
            let v = unsafe { vp.get().add(c * ldr) };
            if wide {
                // SAFETY: AVX-512F checked; x holds the chunk's images, v their tiles.
                #[cfg(target_arch = "x86_64")]
                unsafe {
                    if let Some((pat, _)) = &small {
                        winograd_small::transform_input(g, x, (first, m, c), (v, vs), pat)
                    } else {
                        winograd_avx512::transform_input(g, x, (first, m, c), v, vs)
                    }
                };
                return;
            }
            // SAFETY: the channel's row of each of the 16 positions.
            let v = unsafe { std::slice::from_raw_parts_mut(v, (E - 1) * vs + ld) };
            // SAFETY: gather writes every tile of every image.
            let (mut d, mut tmp) = unsafe { (scratch::<f32>(E * ld), scratch::<f32>(E * ld)) };
            for j in 0..m {
                let plane = &x[(first + j) * in_len + c * hw..][..hw];
                tile_io::gather(plane, (g.h, g.w), &mut d[j * tpi..], ld);
            }
            transform_tiles(&d, ld, &mut tmp, v, vs);
        });
        each(E, inner, |e| {
            let (u, v, out) = (&u[e * us..], &v[e * vs..], mp.get());
            // SAFETY: each tile position writes its own block of mo.
            let out = unsafe { out.add(e * ms) };
            if wide {
                // SAFETY: AVX-512F checked; u (Co, C), v (C, ld) and out (Co, ld) as sized.
                #[cfg(target_arch = "x86_64")]
                unsafe {
                    winograd_avx512::gemm(u.as_ptr(), (g.co, g.c), v.as_ptr(), (ldr, ld), out)
                };
                return;
            }
            // SAFETY: as above.
            unsafe {
                gemm_rm(
                    (g.co, ld, g.c),
                    out,
                    ldr,
                    false,
                    (u.as_ptr(), g.c, 1),
                    (v.as_ptr(), ldr, 1),
                    Parallelism::None,
                )
            };
        });
        each(g.co, inner, |co| {
            if wide {
                // SAFETY: AVX-512F checked; mo holds the chunk's products, y the batch's outputs,
                // and channel co of these images is written by this task only.
                #[cfg(target_arch = "x86_64")]
                unsafe {
                    let (src, at) = (mo[co * ldr..].as_ptr(), (first, m, co));
                    if let Some((_, pat)) = &small {
                        winograd_small::transform_output(g, src, ms, at, yp.get(), pat)
                    } else {
                        winograd_avx512::transform_output(g, src, ms, at, yp.get())
                    }
                };
                return;
            }
            // SAFETY: written in full by untransform_tiles.
            let (mut tmp, mut ys) = unsafe { (scratch::<f32>(8 * ld), scratch::<f32>(4 * ld)) };
            untransform_tiles(&mo[co * ldr..], ms, ld, &mut tmp, &mut ys);
            for j in 0..m {
                // SAFETY: channel co of each image is written by this task only.
                let plane = unsafe {
                    std::slice::from_raw_parts_mut(
                        yp.get().add((first + j) * out_len + co * hw),
                        hw,
                    )
                };
                tile_io::scatter(&ys[j * tpi..], ld, (g.h, g.w), plane);
            }
        });
    });
    y
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conv::compute;

    /// Pseudo-random values in [-1, 1).
    fn values(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 40) as f32) / (1u64 << 23) as f32 - 1.0
            })
            .collect()
    }

    #[test]
    fn matches_the_im2col_conv_on_even_odd_and_tiny_maps() {
        for &(n, c, co, h, w) in &[
            (2, 16, 16, 32, 32),
            (3, 8, 9, 5, 5),
            (1, 8, 8, 3, 7),
            (4, 9, 8, 2, 2),
            (65, 8, 16, 4, 4),
            (2, 32, 8, 6, 8),
        ] {
            // Some of these take im2col in training (few tiles), but the algorithm holds there too.
            let g = Geom::from_shapes(&[n, c, h, w], &[co, c, 3, 3], 1, 1);
            let x = values(n * c * h * w, 1 + c as u64);
            let k = values(co * c * 9, 2 + h as u64);
            let want = compute::forward(&g, &x, &k, None, false);
            let got = forward(&g, &x, &k);
            assert_eq!(got.len(), want.len());
            // Each output sums 9C products of values below 1: 1e-6 of that bound.
            let tol = 1e-6 * (9 * c) as f32;
            for (i, (a, b)) in got.iter().zip(&want).enumerate() {
                assert!(
                    (a - b).abs() <= tol,
                    "{n}x{c}x{h}x{w}->{co}: output {i}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn weight_transform_gives_the_portable_bits_and_g_k_g_t() {
        let w = values(9 * 53, 7);
        let (u, us) = transform_weights(&w);
        for (q, k) in w.chunks_exact(9).enumerate() {
            let want = kernel_transform(k.try_into().unwrap());
            for (e, &v) in want.iter().enumerate() {
                assert_eq!(
                    u[e * us + q].to_bits(),
                    v.to_bits(),
                    "kernel {q} position {e}"
                );
            }
        }
        // G k G^T by its definition, in f64.
        let gm = [
            [1.0, 0.0, 0.0],
            [0.5, 0.5, 0.5],
            [0.5, -0.5, 0.5],
            [0.0, 0.0, 1.0],
        ];
        let k = &w[..9];
        for (r, s) in (0..4).flat_map(|r| (0..4).map(move |s| (r, s))) {
            let mut want = 0f64;
            for (i, j) in (0..3).flat_map(|i| (0..3).map(move |j| (i, j))) {
                want += gm[r][i] * f64::from(k[3 * i + j]) * gm[s][j];
            }
            assert!(
                (f64::from(u[(4 * r + s) * us]) - want).abs() < 1e-6,
                "position {r},{s}"
            );
        }
    }

    /// A pass over a batch of images and a second per-image operand.
    type Pass<'a> = dyn Fn(&Geom, &[f32], &[f32]) -> Vec<f32> + 'a;

    #[test]
    fn a_batch_gives_its_halves_bits_forward_and_input_gradient() {
        // Each image is computed on its own, so data-parallel ranks holding half a batch each
        // get one process's values; chunks of 1 to 16 images.
        for &(n, c, co, h) in &[(4, 16, 16, 32), (8, 32, 16, 8), (32, 8, 8, 4)] {
            let g = Geom::from_shapes(&[n, c, h, h], &[co, c, 3, 3], 1, 1);
            let gh = Geom { n: n / 2, ..g };
            let x = values(n * c * h * h, 3);
            let gy = values(n * co * h * h, 4);
            let k = values(co * c * 9, 5);
            let halves = |f: &Pass<'_>, a: &[f32], b: &[f32]| {
                let (ha, hb) = (a.len() / 2, b.len() / 2);
                let mut out = f(&gh, &a[..ha], &b[..hb]);
                out.extend(f(&gh, &a[ha..], &b[hb..]));
                out
            };
            let fwd = |g: &Geom, x: &[f32], _: &[f32]| forward(g, x, &k);
            assert!(
                fwd(&g, &x, &gy) == halves(&fwd, &x, &gy),
                "forward {c}->{co} {h}px"
            );
            let dx = |g: &Geom, x: &[f32], gy: &[f32]| {
                compute::backward(g, x, &k, gy, (true, false))
                    .0
                    .expect("dx")
            };
            assert!(
                dx(&g, &x, &gy) == halves(&dx, &x, &gy),
                "input gradient {c}->{co} {h}px"
            );
        }
    }

    #[test]
    fn applies_only_to_stride_one_padded_3x3_f32() {
        let geom = |c, k, s, p| Geom::from_shapes(&[4, c, 8, 8], &[16, c, k, k], s, p);
        assert!(applies::<f32>(&geom(16, 3, 1, 1)));
        assert!(!applies::<f64>(&geom(16, 3, 1, 1)));
        assert!(!applies::<f32>(&geom(16, 3, 2, 1)));
        assert!(!applies::<f32>(&geom(16, 1, 1, 0)));
        assert!(!applies::<f32>(&geom(3, 3, 1, 1)));
        let line = Geom::from_shapes(&[64, 16, 1, 8], &[16, 16, 3, 3], 1, 1);
        assert!(!applies::<f32>(&line), "a map one pixel high");
        let few = Geom::from_shapes(&[3, 16, 8, 8], &[16, 16, 3, 3], 1, 1);
        assert!(!applies::<f32>(&few), "48 tiles in the batch");
    }
}
