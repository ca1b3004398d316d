//! Classification probe on two safetensors files (`features` N x D f32, `labels` N i64):
//! the paper's 45-value grid, 5 seeded folds, refit, test accuracy; prints the result JSON.
//!
//! cargo run -p sslinv-heads --example probe_safetensors -- train.safetensors test.safetensors

use safetensors::SafeTensors;
use sslinv_heads::{Labels, ProbeConfig, probe};

/// Row-major features, their dimension, and the class labels of one file.
type Split = (Vec<f32>, usize, Vec<i64>);

fn read(path: &str) -> Result<Split, Box<dyn std::error::Error>> {
    let bytes = std::fs::read(path)?;
    let st = SafeTensors::deserialize(&bytes)?;
    let f = st.tensor("features")?;
    let x = f
        .data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let y = st
        .tensor("labels")?
        .data()
        .chunks_exact(8)
        .map(|b| i64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    Ok((x, f.shape()[1], y))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        return Err("usage: probe_safetensors TRAIN.safetensors TEST.safetensors".into());
    }
    let (xtr, dim, ytr) = read(&args[1])?;
    let (xte, _, yte) = read(&args[2])?;
    let r = probe(
        &xtr,
        &Labels::Classes(ytr),
        &xte,
        &Labels::Classes(yte),
        dim,
        &ProbeConfig::default(),
    )?;
    println!("{}", serde_json::to_string(&r)?);
    Ok(())
}
