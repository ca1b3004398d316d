//! The CPU fast path of the ViT: the same network as [`VisionTransformer`] on plain f32
//! buffers, with row-split `gemm` calls for the token GEMMs, one task per (image, head) for
//! attention, LayerScale folded into `proj`/`fc2`, and residual adds fused into the GEMMs.

mod attention;
mod math;
mod matmul;

pub use attention::attention;
pub use matmul::{gemm_rm, matmul_wt};

use crate::error::{EncoderError, Result};
use crate::vit::config::{Activation, ViTConfig};
use crate::vit::model::VisionTransformer;
use crate::vit::patch_embed::patch_grid;
use crate::vit::pos_embed::resample_abs_pos_embed;
use crate::vit::readout::{Pool, Readout};
use candle_core::{Device, Tensor};
use candle_nn::LayerNorm;
use matmul::{add_bias, par_rows, par_rows2};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Images per pass through the blocks: bounds the activation memory (about 6 MB per image
/// for ViT-B at 224) without shrinking the GEMMs below a few thousand rows.
const CHUNK: usize = 16;

fn missing(what: &str) -> EncoderError {
    EncoderError::Candle(candle_core::Error::Msg(format!("ViT without {what}")))
}

fn vec(t: &Tensor) -> Result<Vec<f32>> {
    Ok(t.flatten_all()?.to_vec1::<f32>()?)
}

struct Norm {
    w: Vec<f32>,
    b: Vec<f32>,
    eps: f32,
}

impl Norm {
    fn new(n: &LayerNorm, eps: f64) -> Result<Self> {
        Ok(Self {
            w: vec(n.weight())?,
            b: vec(n.bias().ok_or_else(|| missing("a LayerNorm bias"))?)?,
            eps: eps as f32,
        })
    }

    fn row(&self, x: &[f32], out: &mut [f32]) {
        math::layer_norm(x, &self.w, &self.b, self.eps, out);
    }
}

struct CpuBlock {
    norm1: Norm,
    qkv_w: Vec<f32>,
    qkv_b: Vec<f32>,
    /// `proj` and `fc2` with the LayerScale gamma folded in (rows scaled).
    proj_w: Vec<f32>,
    proj_b: Vec<f32>,
    norm2: Norm,
    fc1_w: Vec<f32>,
    fc1_b: Vec<f32>,
    fc2_w: Vec<f32>,
    fc2_b: Vec<f32>,
}

fn linear(l: &candle_nn::Linear, gamma: Option<&Tensor>) -> Result<(Vec<f32>, Vec<f32>)> {
    let mut w = vec(l.weight())?;
    let mut b = vec(l.bias().ok_or_else(|| missing("a Linear bias"))?)?;
    if let Some(g) = gamma {
        let g = vec(g)?;
        let k = w.len() / g.len();
        for (row, s) in w.chunks_exact_mut(k).zip(&g) {
            row.iter_mut().for_each(|v| *v *= s);
        }
        b.iter_mut().zip(&g).for_each(|(v, s)| *v *= s);
    }
    Ok((w, b))
}

/// Position embeddings already resampled, by patch grid.
type PosCache = Mutex<HashMap<(usize, usize), Arc<Vec<f32>>>>;

/// A [`VisionTransformer`]'s weights as plain vectors, run on the CPU.
pub struct CpuViT {
    cfg: ViTConfig,
    patch_w: Vec<f32>,
    patch_b: Option<Vec<f32>>,
    prefix: Vec<f32>,
    pos: Vec<f32>,
    norm_pre: Option<Norm>,
    blocks: Vec<CpuBlock>,
    norm: Option<Norm>,
    fc_norm: Option<Norm>,
    pos_cache: PosCache,
}

impl CpuViT {
    /// Copies the weights of `m` (any device) into CPU vectors.
    pub fn new(m: &VisionTransformer) -> Result<Self> {
        let eps = m.cfg.norm_eps;
        let mut prefix = vec(&m.cls_token)?;
        if let Some(r) = &m.reg_token {
            prefix.extend(vec(r)?);
        }
        let blocks = m
            .blocks
            .iter()
            .map(|b| {
                let (qkv_w, qkv_b) = linear(&b.attn.qkv, None)?;
                let (proj_w, proj_b) = linear(&b.attn.proj, b.ls1.as_ref())?;
                let (fc1_w, fc1_b) = linear(&b.mlp.fc1, None)?;
                let (fc2_w, fc2_b) = linear(&b.mlp.fc2, b.ls2.as_ref())?;
                Ok(CpuBlock {
                    norm1: Norm::new(&b.norm1, eps)?,
                    qkv_w,
                    qkv_b,
                    proj_w,
                    proj_b,
                    norm2: Norm::new(&b.norm2, eps)?,
                    fc1_w,
                    fc1_b,
                    fc2_w,
                    fc2_b,
                })
            })
            .collect::<Result<_>>()?;
        let norm = |n: &Option<LayerNorm>| n.as_ref().map(|n| Norm::new(n, eps)).transpose();
        Ok(Self {
            cfg: m.cfg.clone(),
            patch_w: vec(&m.patch_embed.weight)?,
            patch_b: m.patch_embed.bias.as_ref().map(vec).transpose()?,
            prefix,
            pos: vec(&m.pos_embed)?,
            norm_pre: norm(&m.norm_pre)?,
            blocks,
            norm: norm(&m.norm)?,
            fc_norm: norm(&m.fc_norm)?,
            pos_cache: Mutex::new(HashMap::new()),
        })
    }

    fn pos_for(&self, grid: (usize, usize)) -> Arc<Vec<f32>> {
        let mut cache = self.pos_cache.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(grid)
            .or_insert_with(|| {
                let g = self.cfg.grid();
                let prefix = if self.cfg.no_embed_class {
                    0
                } else {
                    self.cfg.prefix_tokens()
                };
                let p = &self.pos;
                Arc::new(resample_abs_pos_embed(
                    p,
                    self.cfg.embed_dim,
                    prefix,
                    (g, g),
                    grid,
                ))
            })
            .clone()
    }

    /// Features of an N x 3 x H x W batch as `readout` asks (N x dim on the CPU).
    pub fn features(&self, x: &Tensor, readout: &Readout) -> Result<Tensor> {
        readout.validate(&self.cfg)?;
        let (n, _, h, w) = x.dims4()?;
        let grid = patch_grid(&self.cfg, h, w)?;
        let data = x.to_device(&Device::Cpu)?.contiguous()?.flatten_all()?;
        let data = data.to_vec1::<f32>()?;
        let per_image = 3 * h * w;
        let dim = readout.dim(&self.cfg);
        let mut out = Vec::with_capacity(n * dim);
        for chunk in data.chunks(per_image * CHUNK) {
            out.extend(self.chunk_features(chunk, (h, w), grid, readout));
        }
        Ok(Tensor::from_vec(out, (n, dim), &Device::Cpu)?)
    }

    /// Patch tokens plus prefix tokens and position embeddings, `images x T x D`.
    fn embed(&self, images: &[f32], (h, w): (usize, usize), (gh, gw): (usize, usize)) -> Vec<f32> {
        let (p, d) = (self.cfg.patch_size, self.cfg.embed_dim);
        let np = gh * gw;
        let b = images.len() / (3 * h * w);
        let k = 3 * p * p;
        let mut cols = vec![0f32; b * np * k];
        par_rows(&mut cols, k, |r, row| {
            let (img, cell) = (r / np, r % np);
            let (gy, gx) = (cell / gw, cell % gw);
            let src = &images[img * 3 * h * w..(img + 1) * 3 * h * w];
            for c in 0..3 {
                for y in 0..p {
                    let off = c * h * w + (gy * p + y) * w + gx * p;
                    row[(c * p + y) * p..(c * p + y + 1) * p].copy_from_slice(&src[off..off + p]);
                }
            }
        });
        let mut patches = vec![0f32; b * np * d];
        matmul_wt(&cols, &self.patch_w, &mut patches, k, d, false);
        let npt = self.cfg.prefix_tokens();
        let t = npt + np;
        let pos = self.pos_for((gh, gw));
        let mut x = vec![0f32; b * t * d];
        par_rows(&mut x, d, |r, row| {
            let (img, tok) = (r / t, r % t);
            if tok < npt {
                row.copy_from_slice(&self.prefix[tok * d..(tok + 1) * d]);
            } else {
                let src = &patches[(img * np + tok - npt) * d..(img * np + tok - npt + 1) * d];
                row.copy_from_slice(src);
                if let Some(bias) = &self.patch_b {
                    row.iter_mut().zip(bias).for_each(|(v, b)| *v += b);
                }
            }
            let pos_row = if self.cfg.no_embed_class {
                tok.checked_sub(npt)
            } else {
                Some(tok)
            };
            if let Some(pr) = pos_row {
                row.iter_mut()
                    .zip(&pos[pr * d..(pr + 1) * d])
                    .for_each(|(v, p)| *v += p);
            }
        });
        if let Some(n) = &self.norm_pre {
            par_rows(&mut x, d, |_, row| {
                let src = row.to_vec();
                n.row(&src, row);
            });
        }
        x
    }

    /// Runs the blocks over a chunk of images and pools the kept block outputs.
    fn chunk_features(
        &self,
        images: &[f32],
        hw: (usize, usize),
        grid: (usize, usize),
        readout: &Readout,
    ) -> Vec<f32> {
        let d = self.cfg.embed_dim;
        let mut x = self.embed(images, hw, grid);
        let rows = x.len() / d;
        let t = self.cfg.prefix_tokens() + grid.0 * grid.1;
        let hidden = self.cfg.mlp_hidden();
        let mut h = vec![0f32; rows * d];
        let mut qkv = vec![0f32; rows * 3 * d];
        let mut mid = vec![0f32; rows * hidden];
        let first_kept = self.blocks.len() - readout.layers;
        let mut pooled: Vec<Vec<f32>> = Vec::with_capacity(readout.layers);
        for (i, blk) in self.blocks.iter().enumerate() {
            par_rows2(&x, &mut h, d, |s, o| blk.norm1.row(s, o));
            matmul_wt(&h, &blk.qkv_w, &mut qkv, d, 3 * d, false);
            add_bias(&mut qkv, &blk.qkv_b);
            attention::attention(&qkv, &mut h, t, d, self.cfg.num_heads);
            add_bias(&mut x, &blk.proj_b);
            matmul_wt(&h, &blk.proj_w, &mut x, d, d, true);
            par_rows2(&x, &mut h, d, |s, o| blk.norm2.row(s, o));
            matmul_wt(&h, &blk.fc1_w, &mut mid, d, hidden, false);
            let act = self.cfg.act;
            par_rows(&mut mid, hidden, |_, row| {
                row.iter_mut().zip(&blk.fc1_b).for_each(|(v, b)| *v += b);
                match act {
                    Activation::Gelu => math::gelu(row),
                    Activation::QuickGelu => math::quick_gelu(row),
                }
            });
            add_bias(&mut x, &blk.fc2_b);
            matmul_wt(&mid, &blk.fc2_w, &mut x, hidden, d, true);
            if i >= first_kept {
                pooled.push(self.pool(&x, t, readout.pool));
            }
        }
        // Interleave per image: [layer 0 | layer 1 | ...] for each image in turn.
        let per: Vec<usize> = pooled.iter().map(|p| p.len() / (rows / t)).collect();
        (0..rows / t)
            .flat_map(|img| {
                pooled
                    .iter()
                    .zip(&per)
                    .flat_map(move |(p, &w)| p[img * w..(img + 1) * w].iter().copied())
            })
            .collect()
    }

    /// Pools every image of a `images*T x D` block output (final norm, pooling, `fc_norm`).
    fn pool(&self, x: &[f32], t: usize, pool: Pool) -> Vec<f32> {
        let d = self.cfg.embed_dim;
        let npt = self.cfg.prefix_tokens();
        let pool = pool.resolve(&self.cfg);
        let normed = |row: &[f32], out: &mut [f32]| match &self.norm {
            Some(n) => n.row(row, out),
            None => out.copy_from_slice(row),
        };
        let fc = |v: &mut [f32]| {
            if let Some(n) = &self.fc_norm {
                let src = v.to_vec();
                n.row(&src, v);
            }
        };
        let width = pool.parts() * d;
        let mut out = vec![0f32; x.len() / (t * d) * width];
        out.par_chunks_mut(width).enumerate().for_each(|(img, o)| {
            let tokens = &x[img * t * d..(img + 1) * t * d];
            let (cls_out, mean_out) = o.split_at_mut(if pool == Pool::Mean { 0 } else { d });
            if pool != Pool::Mean {
                normed(&tokens[..d], cls_out);
                fc(cls_out);
            }
            if pool != Pool::Cls && pool != Pool::Default {
                let mut row = vec![0f32; d];
                for tok in tokens[npt * d..].chunks_exact(d) {
                    normed(tok, &mut row);
                    mean_out.iter_mut().zip(&row).for_each(|(m, v)| *m += v);
                }
                let inv = 1.0 / (t - npt) as f32;
                mean_out.iter_mut().for_each(|m| *m *= inv);
                fc(mean_out);
            }
        });
        out
    }
}
