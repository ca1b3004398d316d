//! Reading checkpoint files into named tensors: safetensors and PyTorch zip pickles
//! (`.pth`, `.pth.tar`, `.bin`), which candle parses without executing any code.

use crate::error::{EncoderError, Result};
use candle_core::{DType, Device, Tensor};
use std::collections::HashMap;
use std::path::Path;

fn checkpoint_error(path: &Path, reason: impl Into<String>) -> EncoderError {
    EncoderError::Checkpoint {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Every tensor of a checkpoint, as f32 on `device`. PyTorch files may hold the weights at the
/// top level or under `state_dict` / `model` (MoCo, SwAV, DeepCluster checkpoints).
pub fn read_tensors(path: &Path, device: &Device) -> Result<HashMap<String, Tensor>> {
    if !path.is_file() {
        return Err(EncoderError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such checkpoint file"),
        });
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let raw: Vec<(String, Tensor)> = if name.ends_with(".safetensors") {
        candle_core::safetensors::load(path, device)
            .map_err(|source| EncoderError::CheckpointRead {
                path: path.to_path_buf(),
                what: "not a readable safetensors file".into(),
                source: Box::new(source),
            })?
            .into_iter()
            .collect()
    } else {
        read_pickle(path)?
    };
    if raw.is_empty() {
        return Err(checkpoint_error(path, "holds no tensors"));
    }
    raw.into_iter()
        .map(|(k, t)| {
            let t = if t.dtype().is_float() {
                t.to_dtype(DType::F32)?
            } else {
                t
            };
            Ok((k, t.to_device(device)?))
        })
        .collect()
}

fn read_pickle(path: &Path) -> Result<Vec<(String, Tensor)>> {
    crate::pickle_guard::check_pickle_imports(path)?;
    let mut last = None;
    for key in [Some("state_dict"), Some("model"), None] {
        match candle_core::pickle::read_all_with_key(path, key) {
            Ok(t) if !t.is_empty() => return Ok(t),
            Ok(_) => {}
            Err(e) => last = Some(e),
        }
    }
    let what = "not a PyTorch zip checkpoint with a state dict";
    Err(match last {
        Some(source) => EncoderError::CheckpointRead {
            path: path.to_path_buf(),
            what: what.into(),
            source: Box::new(source),
        },
        None => checkpoint_error(path, what),
    })
}
