//! CIFAR-10 python batches: `cifar-10-batches-py/data_batch_1..5` (train) and `test_batch` (test).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_pickle::{DeOptions, HashableValue, Value};

use crate::error::{DatasetError, Result};
use crate::image_set::{ImageSet, Item};
use crate::source::{ImageSource, RawLayout};
use crate::split::Split;
use crate::target::Targets;

/// One decoded batch: planar 32x32 RGB rows and their labels.
#[derive(Debug, Clone)]
pub struct Batch {
    /// N x 3072 bytes: red plane, green plane, blue plane per row.
    pub data: Arc<[u8]>,
    /// Label per row, 0..10.
    pub labels: Vec<i64>,
}

/// The batch files of a split.
pub fn batch_files(dir: &Path, split: Split) -> Result<Vec<PathBuf>> {
    let train = (1..=5).map(|b| dir.join(format!("data_batch_{b}")));
    let test = std::iter::once(dir.join("test_batch"));
    Ok(match split {
        Split::Train => train.collect(),
        Split::Test => test.collect(),
        Split::All => train.chain(test).collect(),
        Split::Val => {
            return Err(DatasetError::UnknownSplit {
                dataset: "cifar10".into(),
                split: "val".into(),
                known: "train, test, all".into(),
            });
        }
    })
}

/// The folder holding the batches: `<root>/cifar-10-batches-py` or `<root>` itself.
pub fn batches_dir(root: &Path) -> PathBuf {
    let nested = root.join("cifar-10-batches-py");
    if nested.is_dir() {
        nested
    } else {
        root.to_path_buf()
    }
}

/// Loads a CIFAR-10 split from the python pickle batches.
pub fn load(root: &Path, split: Split) -> Result<ImageSet> {
    let dir = batches_dir(root);
    let mut items = Vec::new();
    let mut ids = Vec::new();
    for path in batch_files(&dir, split)? {
        let batch = read_batch(&path)?;
        let origin = path.display().to_string();
        for (row, &label) in batch.labels.iter().enumerate() {
            items.push(Item {
                source: ImageSource::Raw {
                    pixels: batch.data.clone(),
                    offset: row * 3072,
                    width: 32,
                    height: 32,
                    layout: RawLayout::Planar,
                    origin: format!("{origin}#{row}"),
                },
                crop: None,
            });
            ids.push(label);
        }
    }
    ImageSet::new("cifar10", split, items, Targets::Classes { ids, count: 10 })
}

fn key_is(key: &HashableValue, name: &str) -> bool {
    match key {
        HashableValue::Bytes(b) => b.as_slice() == name.as_bytes(),
        HashableValue::String(s) => s == name,
        _ => false,
    }
}

/// The raw bytes and shape of a pickled numpy array (restored state `(version, shape, dtype, fortran, bytes)`).
fn ndarray(value: &Value) -> Option<(Vec<usize>, &[u8])> {
    let parts = match value {
        Value::Tuple(p) | Value::List(p) => p,
        _ => return None,
    };
    let shape = parts.iter().find_map(|p| match p {
        Value::Tuple(dims) if dims.iter().all(|d| matches!(d, Value::I64(_))) => Some(
            dims.iter()
                .map(|d| {
                    if let Value::I64(v) = d {
                        *v as usize
                    } else {
                        0
                    }
                })
                .collect::<Vec<_>>(),
        ),
        _ => None,
    })?;
    let bytes = parts.iter().rev().find_map(|p| match p {
        Value::Bytes(b) => Some(b.as_slice()),
        _ => None,
    })?;
    Some((shape, bytes))
}

/// Reads one pickle batch (`data`: N x 3072 uint8, `labels`: N ints).
pub fn read_batch(path: &Path) -> Result<Batch> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => DatasetError::missing(path, "CIFAR-10 python batch"),
        _ => DatasetError::io(path, e),
    })?;
    let opts = DeOptions::new()
        .replace_unresolved_globals()
        .keep_restore_state();
    let value = serde_pickle::value_from_slice(&bytes, opts)
        .map_err(|e| DatasetError::format(path, format!("not a readable pickle: {e}")))?;
    let Value::Dict(dict) = value else {
        return Err(DatasetError::format(path, "pickle does not hold a dict"));
    };
    let field = |name: &str| dict.iter().find(|(k, _)| key_is(k, name)).map(|(_, v)| v);
    let labels: Vec<i64> = match field("labels") {
        Some(Value::List(l)) => l
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::I64(x) if (0..10).contains(x) => Ok(*x),
                other => Err(DatasetError::format(
                    path,
                    format!("labels[{i}] is {other:?}, want an int in 0..10"),
                )),
            })
            .collect::<Result<_>>()?,
        _ => return Err(DatasetError::format(path, "no `labels` list")),
    };
    let Some((shape, data)) = field("data").and_then(ndarray) else {
        return Err(DatasetError::format(path, "no `data` numpy array"));
    };
    if shape != [labels.len(), 3072] || data.len() != labels.len() * 3072 {
        return Err(DatasetError::format(
            path,
            format!(
                "`data` has shape {shape:?} and {} bytes, want [{}, 3072] uint8",
                data.len(),
                labels.len()
            ),
        ));
    }
    Ok(Batch {
        data: Arc::from(data),
        labels,
    })
}
