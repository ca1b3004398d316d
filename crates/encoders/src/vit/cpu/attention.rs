//! Multi-head attention over a packed `qkv` buffer: one task per (image, head), each running
//! its two small GEMMs single-threaded straight from the strided q, k and v columns (no
//! head-split copies), with the softmax in between.

use super::math::softmax_scaled;
use super::matmul::gemm_strided;
use gemm::Parallelism;
use rayon::prelude::*;

/// A raw pointer shared by tasks that write disjoint elements.
#[derive(Clone, Copy)]
struct SharedOut(*mut f32);
// SAFETY: every task writes a disjoint (image, head) block of columns.
unsafe impl Send for SharedOut {}
unsafe impl Sync for SharedOut {}

impl SharedOut {
    fn get(self) -> *mut f32 {
        self.0
    }
}

/// `out` (B*T x D) = per image and head softmax(q k^T / sqrt(hd)) v, with `qkv` (B*T x 3D)
/// laid out as timm's fused projection ([q | k | v], each head `hd` contiguous columns).
pub fn attention(qkv: &[f32], out: &mut [f32], tokens: usize, dim: usize, heads: usize) {
    let images = out.len() / (tokens * dim);
    let hd = dim / heads;
    let scale = (hd as f32).powf(-0.5);
    let dst = SharedOut(out.as_mut_ptr());
    (0..images * heads).into_par_iter().for_each_init(
        || vec![0f32; tokens * tokens],
        |scores, task| {
            let (b, h) = (task / heads, task % heads);
            let base = b * tokens * 3 * dim + h * hd;
            let (q, k, v) = (base, base + dim, base + 2 * dim);
            let rs = 3 * dim as isize;
            // SAFETY: q/k/v address rows b*T..(b+1)*T of qkv at this head's columns; the
            // output block (rows of image b, columns of head h) is written by this task only.
            unsafe {
                gemm_strided(
                    (tokens, tokens, hd),
                    (scores.as_mut_ptr(), tokens as isize, false),
                    (qkv.as_ptr().add(q), rs),
                    (qkv.as_ptr().add(k), rs, 1),
                    Parallelism::None,
                );
            }
            softmax_each_row(scores, tokens, scale);
            unsafe {
                gemm_strided(
                    (tokens, hd, tokens),
                    (
                        dst.get().add(b * tokens * dim + h * hd),
                        dim as isize,
                        false,
                    ),
                    (scores.as_ptr(), tokens as isize),
                    (qkv.as_ptr().add(v), 1, rs),
                    Parallelism::None,
                );
            }
        },
    );
}

/// Row softmax of one task's score matrix (serial: it runs inside a parallel task).
fn softmax_each_row(scores: &mut [f32], tokens: usize, scale: f32) {
    for row in scores.chunks_exact_mut(tokens) {
        softmax_scaled(row, scale);
    }
}
