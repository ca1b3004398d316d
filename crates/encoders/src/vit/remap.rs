//! ViT checkpoints in their original repos' layouts, renamed to timm's (the mechanical part of
//! timm's `checkpoint_filter_fn`): DINO (`backbone.`/`module.` prefixes), DINOv2 (`mask_token`,
//! `register_tokens` and the class row of `pos_embed`), OpenAI CLIP and open_clip visual towers
//! (`visual.*`, `module.visual.*`), open_clip towers with a timm trunk (`visual.trunk.*`), and
//! timm's own files (classification `head.*` dropped).

use crate::error::{EncoderError, Result};
use candle_core::{D, Tensor};
use std::collections::HashMap;
use std::path::Path;

/// The layout a ViT checkpoint was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViTLayout {
    /// timm names (also DINO's released backbones), possibly under a prefix.
    Timm,
    /// facebookresearch/dinov2 (`mask_token`, with or without `register_tokens`).
    DinoV2,
    /// OpenAI CLIP / open_clip visual tower (`visual.conv1`, `visual.transformer.resblocks`).
    OpenAiClip,
}

/// Prefixes in front of timm names: training wrappers (DINO, open_clip with a timm trunk).
const PREFIXES: [&str; 8] = [
    "",
    "module.",
    "backbone.",
    "module.backbone.",
    "teacher.backbone.",
    "encoder.",
    "visual.trunk.",
    "module.visual.trunk.",
];

/// Tensors that are not part of the backbone (heads, masks, projections).
fn is_head(key: &str) -> bool {
    key.starts_with("head.") || key == "mask_token" || key.starts_with("pre_logits.")
}

fn checkpoint_error(path: &Path, reason: impl Into<String>) -> EncoderError {
    EncoderError::Checkpoint {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// One OpenAI CLIP visual-tower name (prefix removed) in timm's spelling; None for `proj`.
fn openai_name(key: &str) -> Option<String> {
    let simple = [
        ("conv1.weight", "patch_embed.proj.weight"),
        ("class_embedding", "cls_token"),
        ("positional_embedding", "pos_embed"),
        ("proj", ""),
    ];
    if let Some((_, to)) = simple.iter().find(|(from, _)| *from == key) {
        return (!to.is_empty()).then(|| to.to_string());
    }
    if let Some(rest) = key.strip_prefix("ln_pre.") {
        return Some(format!("norm_pre.{rest}"));
    }
    if let Some(rest) = key.strip_prefix("ln_post.") {
        return Some(format!("norm.{rest}"));
    }
    let rest = key.strip_prefix("transformer.resblocks.")?;
    let (i, rest) = rest.split_once('.')?;
    let part = [
        ("ln_1.", "norm1."),
        ("ln_2.", "norm2."),
        ("attn.in_proj_weight", "attn.qkv.weight"),
        ("attn.in_proj_bias", "attn.qkv.bias"),
        ("attn.out_proj.", "attn.proj."),
        ("mlp.c_fc.", "mlp.fc1."),
        ("mlp.c_proj.", "mlp.fc2."),
    ]
    .iter()
    .find_map(|(from, to)| rest.strip_prefix(from).map(|r| format!("{to}{r}")))
    .unwrap_or_else(|| rest.to_string());
    Some(format!("blocks.{i}.{part}"))
}

fn from_openai(tensors: HashMap<String, Tensor>, prefix: &str) -> Result<HashMap<String, Tensor>> {
    let mut out = HashMap::new();
    for (k, v) in tensors {
        let Some(name) = k.strip_prefix(prefix).and_then(openai_name) else {
            continue; // text tower, logit scale, the image projection
        };
        let v = match name.as_str() {
            "cls_token" => v.reshape((1, 1, v.elem_count()))?,
            "pos_embed" => v.unsqueeze(0)?,
            _ => v,
        };
        out.insert(name, v);
    }
    Ok(out)
}

/// DINOv2's `blocks.{chunk}.{i}.` (block chunking) as `blocks.{i}.`.
fn unchunk(key: &str) -> String {
    let parts: Vec<&str> = key.splitn(4, '.').collect();
    if parts.len() == 4
        && parts[0] == "blocks"
        && parts[1].parse::<usize>().is_ok()
        && parts[2].parse::<usize>().is_ok()
    {
        return format!("blocks.{}.{}", parts[2], parts[3]);
    }
    key.to_string()
}

fn from_dinov2(mut tensors: HashMap<String, Tensor>) -> Result<HashMap<String, Tensor>> {
    tensors.remove("mask_token");
    if let Some(reg) = tensors.remove("register_tokens") {
        // timm keeps registers and the class token out of the position grid.
        if let (Some(cls), Some(pos)) = (tensors.remove("cls_token"), tensors.remove("pos_embed")) {
            let rows = pos.dim(1)?;
            let cls_row = pos.narrow(1, 0, 1)?;
            tensors.insert("cls_token".into(), (cls + cls_row)?);
            tensors.insert("pos_embed".into(), pos.narrow(1, 1, rows - 1)?);
        }
        tensors.insert("reg_token".into(), reg);
    }
    Ok(tensors.into_iter().map(|(k, v)| (unchunk(&k), v)).collect())
}

/// The backbone tensors of a ViT checkpoint under timm names, and the layout they came in.
pub fn to_timm(
    tensors: HashMap<String, Tensor>,
    path: &Path,
) -> Result<(HashMap<String, Tensor>, ViTLayout)> {
    for prefix in ["visual.", "module.visual."] {
        if tensors.contains_key(&format!("{prefix}class_embedding")) {
            return Ok((from_openai(tensors, prefix)?, ViTLayout::OpenAiClip));
        }
    }
    let prefix = PREFIXES
        .iter()
        .find(|p| tensors.contains_key(&format!("{p}cls_token")))
        .ok_or_else(|| {
            checkpoint_error(
                path,
                "no ViT class token (cls_token, visual.class_embedding) under any known prefix",
            )
        })?;
    let tensors: HashMap<String, Tensor> = tensors
        .into_iter()
        .filter_map(|(k, v)| k.strip_prefix(prefix).map(|k| (k.to_string(), v)))
        .collect();
    let (tensors, layout) = if tensors.contains_key("mask_token") {
        (from_dinov2(tensors)?, ViTLayout::DinoV2)
    } else {
        (tensors, ViTLayout::Timm)
    };
    let tensors = tensors
        .into_iter()
        .filter(|(k, _)| !is_head(k))
        .map(|(k, v)| Ok((k, v.contiguous()?)))
        .collect::<Result<_>>()?;
    Ok((tensors, layout))
}

/// The (width, depth, patch, register tokens, position rows) a timm-named state dict holds.
pub fn describe(tensors: &HashMap<String, Tensor>) -> String {
    let dim = tensors
        .get("cls_token")
        .and_then(|t| t.dim(D::Minus1).ok())
        .unwrap_or(0);
    let depth = tensors
        .keys()
        .filter_map(|k| {
            k.strip_prefix("blocks.")?
                .split('.')
                .next()?
                .parse::<usize>()
                .ok()
        })
        .max()
        .map_or(0, |m| m + 1);
    let patch = tensors
        .get("patch_embed.proj.weight")
        .and_then(|t| t.dim(D::Minus1).ok())
        .unwrap_or(0);
    let regs = tensors
        .get("reg_token")
        .and_then(|t| t.dim(1).ok())
        .unwrap_or(0);
    let pos = tensors
        .get("pos_embed")
        .and_then(|t| t.dim(1).ok())
        .unwrap_or(0);
    format!(
        "a ViT of width {dim}, {depth} blocks, patch {patch}, {regs} registers, {pos} position rows"
    )
}
