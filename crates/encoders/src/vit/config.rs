//! ViT architectures by timm name, and the timm state-dict layout each one has.

use crate::error::{EncoderError, Result};

/// The MLP activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// Exact GELU, `0.5 x (1 + erf(x / sqrt 2))` (PyTorch's default `nn.GELU`).
    Gelu,
    /// OpenAI CLIP's `x * sigmoid(1.702 x)`.
    QuickGelu,
}

/// How timm pools the token sequence into one vector by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobalPool {
    /// The class token after the final norm (`global_pool='token'`).
    Token,
    /// The mean of the patch tokens, then `fc_norm` (`global_pool='avg'`; no final norm).
    Avg,
}

/// A timm `VisionTransformer` configuration (the fields the listed models use).
#[derive(Debug, Clone, PartialEq)]
pub struct ViTConfig {
    /// timm architecture name (`vit_small_patch14_dinov2`).
    pub name: String,
    /// Square patch side in pixels.
    pub patch_size: usize,
    /// Image side the position embeddings were made for (their grid is `img_size / patch_size`).
    pub img_size: usize,
    /// Token width.
    pub embed_dim: usize,
    /// Number of transformer blocks.
    pub depth: usize,
    /// Attention heads per block.
    pub num_heads: usize,
    /// MLP hidden width as a multiple of `embed_dim` (timm truncates the product).
    pub mlp_ratio: f64,
    /// Register tokens after the class token (DINOv2 `_reg4_`).
    pub reg_tokens: usize,
    /// Position embeddings cover the patches only, not the class/register tokens.
    pub no_embed_class: bool,
    /// Blocks scale their residual branches by a learned vector (`ls1.gamma`, `ls2.gamma`).
    pub layer_scale: bool,
    /// A LayerNorm after the embeddings (`norm_pre`) and no patch-embedding bias (CLIP).
    pub pre_norm: bool,
    /// MLP activation.
    pub act: Activation,
    /// LayerNorm epsilon (timm 1e-6; CLIP 1e-5).
    pub norm_eps: f64,
    /// Default pooling.
    pub global_pool: GlobalPool,
}

/// (name, patch, img, dim, depth, heads, family) of every architecture we build by name.
const ARCHS: &[(&str, usize, usize, usize, usize, usize, Family)] = &[
    ("vit_tiny_patch16_224", 16, 224, 192, 12, 3, Family::Plain),
    ("vit_small_patch16_224", 16, 224, 384, 12, 6, Family::Plain),
    ("vit_small_patch8_224", 8, 224, 384, 12, 6, Family::Plain),
    ("vit_base_patch16_224", 16, 224, 768, 12, 12, Family::Plain),
    ("vit_base_patch8_224", 8, 224, 768, 12, 12, Family::Plain),
    (
        "vit_large_patch16_224",
        16,
        224,
        1024,
        24,
        16,
        Family::Plain,
    ),
    ("vit_huge_patch14_224", 14, 224, 1280, 32, 16, Family::Plain),
    (
        "vit_small_patch14_dinov2",
        14,
        518,
        384,
        12,
        6,
        Family::DinoV2,
    ),
    (
        "vit_base_patch14_dinov2",
        14,
        518,
        768,
        12,
        12,
        Family::DinoV2,
    ),
    (
        "vit_large_patch14_dinov2",
        14,
        518,
        1024,
        24,
        16,
        Family::DinoV2,
    ),
    (
        "vit_small_patch14_reg4_dinov2",
        14,
        518,
        384,
        12,
        6,
        Family::DinoV2Reg4,
    ),
    (
        "vit_base_patch14_reg4_dinov2",
        14,
        518,
        768,
        12,
        12,
        Family::DinoV2Reg4,
    ),
    (
        "vit_large_patch14_reg4_dinov2",
        14,
        518,
        1024,
        24,
        16,
        Family::DinoV2Reg4,
    ),
    (
        "vit_base_patch16_clip_224",
        16,
        224,
        768,
        12,
        12,
        Family::Clip,
    ),
    (
        "vit_base_patch16_clip_quickgelu_224",
        16,
        224,
        768,
        12,
        12,
        Family::ClipQuickGelu,
    ),
    (
        "vit_large_patch14_clip_224",
        14,
        224,
        1024,
        24,
        16,
        Family::Clip,
    ),
    (
        "vit_large_patch14_clip_quickgelu_224",
        14,
        224,
        1024,
        24,
        16,
        Family::ClipQuickGelu,
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Plain,
    DinoV2,
    DinoV2Reg4,
    Clip,
    ClipQuickGelu,
}

impl ViTConfig {
    /// The configuration timm builds for `name` (`timm.create_model(name, num_classes=0)`).
    pub fn timm(name: &str) -> Result<Self> {
        let key = name.trim().to_ascii_lowercase();
        let &(name, patch_size, img_size, embed_dim, depth, num_heads, family) = ARCHS
            .iter()
            .find(|a| a.0 == key)
            .ok_or_else(|| EncoderError::Spec {
                spec: name.to_string(),
                reason: format!("unknown ViT architecture (known: {})", names().join(", ")),
            })?;
        let clip = matches!(family, Family::Clip | Family::ClipQuickGelu);
        let dinov2 = matches!(family, Family::DinoV2 | Family::DinoV2Reg4);
        Ok(Self {
            name: name.to_string(),
            patch_size,
            img_size,
            embed_dim,
            depth,
            num_heads,
            mlp_ratio: 4.0,
            reg_tokens: if family == Family::DinoV2Reg4 { 4 } else { 0 },
            no_embed_class: family == Family::DinoV2Reg4,
            layer_scale: dinov2,
            pre_norm: clip,
            act: if family == Family::ClipQuickGelu {
                Activation::QuickGelu
            } else {
                Activation::Gelu
            },
            norm_eps: if clip { 1e-5 } else { 1e-6 },
            global_pool: GlobalPool::Token,
        })
    }

    /// Whether `name` is a ViT architecture this crate builds.
    pub fn is_vit_name(name: &str) -> bool {
        let key = name.trim().to_ascii_lowercase();
        ARCHS.iter().any(|a| a.0 == key)
    }

    /// The same family with another size (tests and tiny random models): width, depth, heads.
    pub fn resized(mut self, embed_dim: usize, depth: usize, num_heads: usize) -> Self {
        self.embed_dim = embed_dim;
        self.depth = depth;
        self.num_heads = num_heads;
        self
    }

    /// Class token plus register tokens.
    pub fn prefix_tokens(&self) -> usize {
        1 + self.reg_tokens
    }

    /// Side of the position-embedding grid.
    pub fn grid(&self) -> usize {
        self.img_size / self.patch_size
    }

    /// Width of one attention head.
    pub fn head_dim(&self) -> usize {
        self.embed_dim / self.num_heads
    }

    /// MLP hidden width, `int(embed_dim * mlp_ratio)` as timm computes it.
    pub fn mlp_hidden(&self) -> usize {
        (self.embed_dim as f64 * self.mlp_ratio) as usize
    }

    /// Rows of `pos_embed`.
    pub fn pos_embed_len(&self) -> usize {
        let patches = self.grid() * self.grid();
        if self.no_embed_class {
            patches
        } else {
            patches + self.prefix_tokens()
        }
    }

    /// Whether the numbers fit together (heads divide the width, the grid is not empty).
    pub fn validate(&self) -> Result<()> {
        let bad = |reason: String| EncoderError::Spec {
            spec: self.name.clone(),
            reason,
        };
        if self.embed_dim == 0
            || self.num_heads == 0
            || !self.embed_dim.is_multiple_of(self.num_heads)
        {
            return Err(bad(format!(
                "{} heads do not divide the width {}",
                self.num_heads, self.embed_dim
            )));
        }
        if self.patch_size == 0 || self.grid() == 0 || self.depth == 0 {
            return Err(bad("empty patch grid or no blocks".into()));
        }
        Ok(())
    }

    /// Every tensor of timm's state dict with `num_classes=0`, with its shape, in model order.
    pub fn param_shapes(&self) -> Vec<(String, Vec<usize>)> {
        let (d, p, h) = (self.embed_dim, self.patch_size, self.mlp_hidden());
        let mut out: Vec<(String, Vec<usize>)> = vec![("cls_token".into(), vec![1, 1, d])];
        if self.reg_tokens > 0 {
            out.push(("reg_token".into(), vec![1, self.reg_tokens, d]));
        }
        out.push(("pos_embed".into(), vec![1, self.pos_embed_len(), d]));
        out.push(("patch_embed.proj.weight".into(), vec![d, 3, p, p]));
        if !self.pre_norm {
            out.push(("patch_embed.proj.bias".into(), vec![d]));
        }
        let norm = |out: &mut Vec<(String, Vec<usize>)>, name: &str| {
            out.push((format!("{name}.weight"), vec![d]));
            out.push((format!("{name}.bias"), vec![d]));
        };
        if self.pre_norm {
            norm(&mut out, "norm_pre");
        }
        for i in 0..self.depth {
            let b = format!("blocks.{i}");
            norm(&mut out, &format!("{b}.norm1"));
            out.push((format!("{b}.attn.qkv.weight"), vec![3 * d, d]));
            out.push((format!("{b}.attn.qkv.bias"), vec![3 * d]));
            out.push((format!("{b}.attn.proj.weight"), vec![d, d]));
            out.push((format!("{b}.attn.proj.bias"), vec![d]));
            if self.layer_scale {
                out.push((format!("{b}.ls1.gamma"), vec![d]));
            }
            norm(&mut out, &format!("{b}.norm2"));
            out.push((format!("{b}.mlp.fc1.weight"), vec![h, d]));
            out.push((format!("{b}.mlp.fc1.bias"), vec![h]));
            out.push((format!("{b}.mlp.fc2.weight"), vec![d, h]));
            out.push((format!("{b}.mlp.fc2.bias"), vec![d]));
            if self.layer_scale {
                out.push((format!("{b}.ls2.gamma"), vec![d]));
            }
        }
        match self.global_pool {
            GlobalPool::Token => norm(&mut out, "norm"),
            GlobalPool::Avg => norm(&mut out, "fc_norm"),
        }
        out
    }
}

/// Every ViT architecture name this crate builds.
pub fn names() -> Vec<&'static str> {
    ARCHS.iter().map(|a| a.0).collect()
}
