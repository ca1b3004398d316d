//! Key remaps from the layouts SSL checkpoints use to torchvision names, and reading the
//! architecture back from the tensors.

use crate::config::{Arch, ResNetConfig, Stem};
use crate::error::{EncoderError, Result};
use crate::layout_diff::LayoutDiff;
use candle_core::Tensor;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// How a checkpoint names its backbone tensors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRemap {
    /// Detect the prefix and naming from the keys.
    Auto,
    /// torchvision / timm / Barlow Twins names as they are.
    Torchvision,
    /// `module.encoder_q.` (MoCo v1/v2, PCL).
    EncoderQ,
    /// `module.` (SwAV, DeepCluster, SeLa).
    Module,
    /// `module.encoder.` (InfoMin, InsDis, PIRL).
    ModuleEncoder,
    /// HF transformers `ResNetModel` (`embedder.*`, `encoder.stages.*`), DINO and VICReg on the Hub.
    HfResNet,
}

const PREFIXES: [&str; 11] = [
    "module.encoder_q.",
    "module.encoder.",
    "module.backbone.",
    "module.",
    "encoder_q.",
    "encoder.",
    "backbone.",
    "model.",
    "resnet.",
    "net.",
    "",
];

/// Heads and training state that are not part of the backbone.
const HEADS: [&str; 7] = [
    "fc.",
    "projection",
    "prototypes",
    "classifier.",
    "pooler.",
    "head.",
    "queue",
];

impl KeyRemap {
    fn prefix(self) -> Option<&'static str> {
        match self {
            Self::Auto => None,
            Self::Torchvision | Self::HfResNet => Some(""),
            Self::EncoderQ => Some("module.encoder_q."),
            Self::Module => Some("module."),
            Self::ModuleEncoder => Some("module.encoder."),
        }
    }
}

fn detect_prefix(keys: &BTreeSet<&str>) -> Option<&'static str> {
    PREFIXES.into_iter().find(|p| {
        keys.contains(format!("{p}conv1.weight").as_str())
            || keys.contains(format!("{p}embedder.embedder.convolution.weight").as_str())
    })
}

/// One HF `ResNetModel` name as torchvision spells it (None when it is not a backbone tensor).
pub fn hf_to_torchvision(key: &str) -> Option<String> {
    if let Some(rest) = key.strip_prefix("embedder.embedder.") {
        return match rest {
            "convolution.weight" => Some("conv1.weight".into()),
            r => r.strip_prefix("normalization.").map(|s| format!("bn1.{s}")),
        };
    }
    let rest = key.strip_prefix("encoder.stages.")?;
    let mut parts = rest.splitn(4, '.');
    let stage: usize = parts.next()?.parse().ok()?;
    if parts.next()? != "layers" {
        return None;
    }
    let block = parts.next()?;
    let tail = parts.next()?;
    let base = format!("layer{}.{block}", stage + 1);
    let conv_or_bn = |t: &str, conv: &str, bn: &str| -> Option<String> {
        if t == "convolution.weight" {
            Some(format!("{base}.{conv}.weight"))
        } else {
            t.strip_prefix("normalization.")
                .map(|s| format!("{base}.{bn}.{s}"))
        }
    };
    if let Some(t) = tail.strip_prefix("shortcut.") {
        return conv_or_bn(t, "downsample.0", "downsample.1");
    }
    let t = tail.strip_prefix("layer.")?;
    let (idx, t) = t.split_once('.')?;
    let i: usize = idx.parse().ok()?;
    conv_or_bn(t, &format!("conv{}", i + 1), &format!("bn{}", i + 1))
}

/// The backbone tensors of a checkpoint under torchvision names: strips the wrapper prefix,
/// converts HF names, drops heads, momentum encoders, queues and `num_batches_tracked`.
/// Tensors it cannot place are kept under their own names so validation reports them.
pub fn to_torchvision(
    tensors: HashMap<String, Tensor>,
    remap: KeyRemap,
    path: &Path,
) -> Result<HashMap<String, Tensor>> {
    let keys: BTreeSet<&str> = tensors.keys().map(String::as_str).collect();
    let prefix = match remap.prefix() {
        Some(p) => p,
        None => detect_prefix(&keys).ok_or_else(|| EncoderError::Checkpoint {
            path: path.to_path_buf(),
            reason: format!(
                "no ResNet stem (`conv1.weight` or `embedder.embedder.convolution.weight` under any known prefix); first keys: {}",
                keys.iter().take(5).copied().collect::<Vec<_>>().join(", ")
            ),
        })?,
    };
    let hf = remap == KeyRemap::HfResNet
        || keys.contains(format!("{prefix}embedder.embedder.convolution.weight").as_str());
    let mut out = HashMap::new();
    for (key, t) in tensors {
        let Some(local) = key.strip_prefix(prefix) else {
            continue;
        };
        if local.ends_with("num_batches_tracked") || HEADS.iter().any(|h| local.starts_with(h)) {
            continue;
        }
        let name = if hf {
            hf_to_torchvision(local).unwrap_or_else(|| local.to_string())
        } else {
            local.to_string()
        };
        out.insert(name, t);
    }
    Ok(out)
}

/// The architecture a torchvision-named state dict holds (depth, width, stem).
pub fn infer_config(tensors: &HashMap<String, Tensor>, path: &Path) -> Result<ResNetConfig> {
    let err = |reason: String| EncoderError::Checkpoint {
        path: path.to_path_buf(),
        reason,
    };
    let conv1 = tensors
        .get("conv1.weight")
        .ok_or_else(|| err("missing conv1.weight".into()))?;
    let dims = conv1.dims();
    if dims.len() != 4 || dims[1] != 3 {
        return Err(err(format!(
            "conv1.weight has shape {dims:?}, not C x 3 x K x K"
        )));
    }
    let stem = if dims[2] == 7 {
        Stem::ImageNet
    } else {
        Stem::Cifar
    };
    let bottleneck = tensors.contains_key("layer1.0.conv3.weight");
    let present: [BTreeSet<usize>; 4] = std::array::from_fn(|i| {
        let prefix = format!("layer{}.", i + 1);
        tensors
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix)?.split('.').next()?.parse().ok())
            .collect()
    });
    let depths = [
        Arch::ResNet18,
        Arch::ResNet34,
        Arch::ResNet50,
        Arch::ResNet101,
    ];
    let fits = |a: &Arch| a.bottleneck() == bottleneck;
    let blocks = |a: &Arch| block_diff(a.layers(), &present);
    let arch = match depths.iter().find(|a| fits(a) && blocks(a).is_empty()) {
        Some(&arch) => arch,
        None => {
            // Name the blocks that keep the file from the nearest depth (say one block deleted).
            let nearest = depths
                .iter()
                .filter(|a| fits(a))
                .min_by_key(|a| blocks(a).len());
            let counts = present.each_ref().map(BTreeSet::len);
            let kind = if bottleneck { "bottleneck" } else { "basic" };
            let mut reason =
                format!("not a ResNet-18/34/50/101: {kind} blocks per stage {counts:?}");
            if let Some(a) = nearest {
                let diff = blocks(a);
                let more = match diff.len().saturating_sub(8) {
                    0 => String::new(),
                    n => format!(" (+{n} more)"),
                };
                reason.push_str(&format!(
                    "; as a {} it differs in {}{more}",
                    a.name(),
                    diff[..diff.len().min(8)].join(", ")
                ));
            }
            return Err(err(reason));
        }
    };
    Ok(ResNetConfig {
        arch,
        width_mult: dims[0] as f64 / 64.0,
        stem,
    })
}

/// Checks `tensors` against the layout of `config`, naming every missing, unexpected and
/// mis-shaped tensor.
pub fn validate(
    tensors: &HashMap<String, Tensor>,
    config: &ResNetConfig,
    path: &Path,
) -> Result<()> {
    match LayoutDiff::new(tensors, &config.param_shapes()).describe() {
        None => Ok(()),
        Some(diff) => Err(EncoderError::Checkpoint {
            path: path.to_path_buf(),
            reason: format!("does not fit {}: {diff}", describe(config)),
        }),
    }
}

/// The blocks present in one but not the other of a depth's `layers` and the block indices
/// `present` per stage: `layer2.1 missing`, `layer3.2 unexpected`.
fn block_diff(layers: [usize; 4], present: &[BTreeSet<usize>; 4]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, (&n, have)) in layers.iter().zip(present).enumerate() {
        let stage = i + 1;
        out.extend(
            (0..n)
                .filter(|b| !have.contains(b))
                .map(|b| format!("layer{stage}.{b} missing")),
        );
        out.extend(
            have.iter()
                .filter(|&&b| b >= n)
                .map(|b| format!("layer{stage}.{b} unexpected")),
        );
    }
    out
}

/// `resnet50 (width 1, imagenet stem)`.
pub fn describe(config: &ResNetConfig) -> String {
    let stem = match config.stem {
        Stem::ImageNet => "imagenet",
        Stem::Cifar => "cifar",
    };
    format!(
        "{} (width {}, {stem} stem)",
        config.arch.name(),
        config.width_mult
    )
}
