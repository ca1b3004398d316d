//! timm's `VisionTransformer` in eval mode on any candle device: patch embedding, class and
//! register tokens, position embeddings resampled to the input grid (timm's
//! `dynamic_img_size=True`), `norm_pre`, the blocks, final norm or `fc_norm`, and the readout.

use crate::error::Result;
use crate::vit::block::Block;
use crate::vit::config::{GlobalPool, ViTConfig};
use crate::vit::patch_embed::{PatchEmbed, patch_grid};
use crate::vit::pos_embed::resample_abs_pos_embed;
use crate::vit::readout::{Pool, Readout};
use candle_core::{D, Device, Module, Tensor};
use candle_nn::{LayerNorm, VarBuilder, layer_norm};
use std::collections::HashMap;
use std::sync::Mutex;

/// A timm-layout Vision Transformer (no classification head).
#[derive(Debug)]
pub struct VisionTransformer {
    pub(crate) cfg: ViTConfig,
    pub(crate) patch_embed: PatchEmbed,
    pub(crate) cls_token: Tensor,
    pub(crate) reg_token: Option<Tensor>,
    pub(crate) pos_embed: Tensor,
    pub(crate) norm_pre: Option<LayerNorm>,
    pub(crate) blocks: Vec<Block>,
    pub(crate) norm: Option<LayerNorm>,
    pub(crate) fc_norm: Option<LayerNorm>,
    /// Position embeddings already resampled, by patch grid.
    pos_cache: Mutex<HashMap<(usize, usize), Tensor>>,
}

impl VisionTransformer {
    /// Builds the model from timm-named tensors under `vb`.
    pub fn new(cfg: &ViTConfig, vb: VarBuilder) -> Result<Self> {
        cfg.validate()?;
        let d = cfg.embed_dim;
        let norm = |name: &str| layer_norm(d, cfg.norm_eps, vb.pp(name));
        Ok(Self {
            cfg: cfg.clone(),
            patch_embed: PatchEmbed::new(cfg, vb.pp("patch_embed").pp("proj"))?,
            cls_token: vb.get((1, 1, d), "cls_token")?,
            reg_token: if cfg.reg_tokens > 0 {
                Some(vb.get((1, cfg.reg_tokens, d), "reg_token")?)
            } else {
                None
            },
            pos_embed: vb.get((1, cfg.pos_embed_len(), d), "pos_embed")?,
            norm_pre: if cfg.pre_norm {
                Some(norm("norm_pre")?)
            } else {
                None
            },
            blocks: (0..cfg.depth)
                .map(|i| Block::new(cfg, vb.pp("blocks").pp(i)))
                .collect::<Result<_>>()?,
            norm: match cfg.global_pool {
                GlobalPool::Token => Some(norm("norm")?),
                GlobalPool::Avg => None,
            },
            fc_norm: match cfg.global_pool {
                GlobalPool::Token => None,
                GlobalPool::Avg => Some(norm("fc_norm")?),
            },
            pos_cache: Mutex::new(HashMap::new()),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ViTConfig {
        &self.cfg
    }

    /// The device the weights live on.
    pub fn device(&self) -> &Device {
        self.cls_token.device()
    }

    /// Position embeddings for a `gh x gw` patch grid, 1 x L x D (resampled once per grid).
    pub fn pos_embed_for(&self, grid: (usize, usize)) -> Result<Tensor> {
        let mut cache = self.pos_cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = cache.get(&grid) {
            return Ok(t.clone());
        }
        let g = self.cfg.grid();
        let t = if grid == (g, g) {
            self.pos_embed.clone()
        } else {
            let prefix = if self.cfg.no_embed_class {
                0
            } else {
                self.cfg.prefix_tokens()
            };
            let d = self.cfg.embed_dim;
            let flat = self.pos_embed.flatten_all()?.to_vec1::<f32>()?;
            let out = resample_abs_pos_embed(&flat, d, prefix, (g, g), grid);
            let rows = out.len() / d;
            Tensor::from_vec(out, (1, rows, d), self.device())?
        };
        cache.insert(grid, t.clone());
        Ok(t)
    }

    /// Tokens after the embeddings and `norm_pre`, B x T x D.
    pub fn embed(&self, x: &Tensor) -> Result<Tensor> {
        let (b, _, h, w) = x.dims4()?;
        let grid = patch_grid(&self.cfg, h, w)?;
        let patches = self.patch_embed.forward(x)?;
        let pos = self.pos_embed_for(grid)?;
        let d = self.cfg.embed_dim;
        let mut prefix = vec![self.cls_token.broadcast_as((b, 1, d))?];
        if let Some(reg) = &self.reg_token {
            prefix.push(reg.broadcast_as((b, self.cfg.reg_tokens, d))?);
        }
        let x = if self.cfg.no_embed_class {
            prefix.push(patches.broadcast_add(&pos)?);
            Tensor::cat(&prefix, 1)?
        } else {
            prefix.push(patches);
            Tensor::cat(&prefix, 1)?.broadcast_add(&pos)?
        };
        Ok(match &self.norm_pre {
            Some(n) => n.forward(&x)?,
            None => x,
        })
    }

    /// The raw outputs of the last `n` blocks (earliest first), each B x T x D.
    pub fn last_blocks(&self, x: &Tensor, n: usize) -> Result<Vec<Tensor>> {
        let mut x = self.embed(x)?;
        let first_kept = self.blocks.len().saturating_sub(n);
        let mut kept = Vec::with_capacity(n);
        for (i, blk) in self.blocks.iter().enumerate() {
            x = blk.forward(&x)?;
            if i >= first_kept {
                kept.push(x.clone());
            }
        }
        Ok(kept)
    }

    /// Pools one block output as `pool` (after the final norm, then `fc_norm` where present).
    pub fn pool_tokens(&self, tokens: &Tensor, pool: Pool) -> Result<Tensor> {
        let tokens = match &self.norm {
            Some(n) => n.forward(tokens)?,
            None => tokens.clone(),
        };
        let t = tokens.dim(1)?;
        let npt = self.cfg.prefix_tokens();
        let fc = |v: Tensor| -> Result<Tensor> {
            Ok(match &self.fc_norm {
                Some(n) => n.forward(&v)?,
                None => v,
            })
        };
        let cls = || -> Result<Tensor> { fc(tokens.narrow(1, 0, 1)?.squeeze(1)?) };
        let mean = || -> Result<Tensor> { fc(tokens.narrow(1, npt, t - npt)?.mean(1)?) };
        Ok(match pool.resolve(&self.cfg) {
            Pool::Cls | Pool::Default => cls()?,
            Pool::Mean => mean()?,
            Pool::ClsMean => Tensor::cat(&[cls()?, mean()?], D::Minus1)?,
        })
    }

    /// Features of an N x 3 x H x W batch as `readout` asks.
    pub fn features(&self, x: &Tensor, readout: &Readout) -> Result<Tensor> {
        readout.validate(&self.cfg)?;
        let parts = self
            .last_blocks(x, readout.layers)?
            .iter()
            .map(|t| self.pool_tokens(t, readout.pool))
            .collect::<Result<Vec<_>>>()?;
        Ok(Tensor::cat(&parts, D::Minus1)?)
    }
}
