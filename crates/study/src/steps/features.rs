//! The features step: one model's features on one split of a downstream dataset, cached as
//! safetensors (`features`, N x D f32) for every probe, fusion and extrinsic step after it.

use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use std::collections::HashMap;
use std::path::Path;

use crate::error::{Result, StudyError};
use crate::io::write_atomic;
use crate::runner::Runner;
use crate::step::Step;

/// Extracts and stores the features of `model` on `dataset`'s `split`.
pub fn run(r: &mut Runner, model: &str, dataset: &str, split: &str, step: &Step) -> Result<()> {
    let images = r.data.split(dataset, split, &r.preset)?;
    let eval = r.preset.eval();
    let msg = format!("features {model} {dataset} {split}");
    let enc = super::Encoding::new(r, model, eval.resize, images.len(), &msg)?;
    let dim = enc.dim();
    let rows = enc.encode(images.as_ref())?;
    enc.finish();
    let meta = HashMap::from([
        ("model".to_string(), model.to_string()),
        ("dataset".to_string(), dataset.to_string()),
        ("split".to_string(), split.to_string()),
        (
            "preprocess".to_string(),
            format!("resize {} crop {}", eval.resize, eval.crop),
        ),
    ]);
    write_features(&step.outputs[0], &rows, images.len(), dim, meta)
}

/// Writes row-major features atomically.
pub fn write_features(
    path: &Path,
    rows: &[f32],
    n: usize,
    dim: usize,
    meta: HashMap<String, String>,
) -> Result<()> {
    let bytes: Vec<u8> = rows.iter().flat_map(|v| v.to_le_bytes()).collect();
    let view = TensorView::new(Dtype::F32, vec![n, dim], &bytes)
        .map_err(|e| StudyError::Invalid(format!("{}: {e}", path.display())))?;
    let data = sslinv_encoders::serialize_sorted([("features", view)], meta)
        .map_err(|e| StudyError::Invalid(format!("{}: {e}", path.display())))?;
    write_atomic(path, &data)
}

/// Reads row-major features: (values, rows, dim).
pub fn read_features(path: &Path) -> Result<(Vec<f32>, usize, usize)> {
    let bytes = std::fs::read(path).map_err(|source| StudyError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let bad = |m: String| StudyError::Invalid(format!("{}: {m}", path.display()));
    let st = SafeTensors::deserialize(&bytes).map_err(|e| bad(e.to_string()))?;
    let t = st
        .tensor("features")
        .map_err(|e| bad(format!("no `features` tensor: {e}")))?;
    let (n, d) = match (t.dtype(), t.shape()) {
        (Dtype::F32, [n, d]) => (*n, *d),
        (dt, shape) => return Err(bad(format!("features are {dt:?} {shape:?}, not f32 N x D"))),
    };
    let values = t
        .data()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok((values, n, d))
}

/// The features of several models on one split, concatenated per row (fusion by `cat`).
pub fn fused(
    r: &Runner,
    members: &[String],
    dataset: &str,
    split: &str,
) -> Result<(Vec<f32>, usize, usize)> {
    let mut parts = Vec::with_capacity(members.len());
    for m in members {
        parts.push(read_features(&r.layout.features_of(m, dataset, split))?);
    }
    let n = parts.first().map_or(0, |p| p.1);
    if let Some(p) = parts.iter().find(|p| p.1 != n) {
        return Err(StudyError::Invalid(format!(
            "fused features of {} disagree on rows ({} vs {n})",
            members.join("+"),
            p.1
        )));
    }
    let dim: usize = parts.iter().map(|p| p.2).sum();
    let mut out = Vec::with_capacity(n * dim);
    for row in 0..n {
        for (v, _, d) in &parts {
            out.extend_from_slice(&v[row * d..(row + 1) * d]);
        }
    }
    Ok((out, n, dim))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::testing::{assert_alone, scratch};

    #[test]
    fn features_file_round_trips_with_metadata_and_leaves_no_temporary() {
        let (_dir, out) = scratch("sub/f.safetensors");
        let meta = HashMap::from([("model".to_string(), "random:resnet18:seed=0".to_string())]);
        write_features(&out, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3, meta).unwrap();
        let bytes = std::fs::read(&out).unwrap();
        let (_, header) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
        assert_eq!(
            header.metadata().as_ref().unwrap()["model"],
            "random:resnet18:seed=0"
        );
        let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        assert_eq!(st.tensor("features").unwrap().shape(), &[2, 3]);
        assert_alone(&out);
    }
}
