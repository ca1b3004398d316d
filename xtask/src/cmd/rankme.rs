//! `cargo xtask rankme`: RankMe, the label-free transfer predictor, of a saved feature matrix.

use anyhow::{Context, bail};
use safetensors::{Dtype, SafeTensors};
use std::path::PathBuf;

/// Arguments of `cargo xtask rankme`.
#[derive(clap::Args)]
pub struct Args {
    /// Features (safetensors with `features` N x D f32; labels are not needed).
    #[arg(long)]
    features: PathBuf,
    /// Output JSON (`rankme`, the singular values, rows, columns).
    #[arg(long)]
    out: PathBuf,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let path = &args.features;
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let st = SafeTensors::deserialize(&bytes)
        .with_context(|| format!("{} is not a safetensors file", path.display()))?;
    let f = st
        .tensor("features")
        .with_context(|| format!("{}: no `features` tensor", path.display()))?;
    if f.dtype() != Dtype::F32 || f.shape().len() != 2 {
        bail!(
            "{}: `features` must be N x D f32, found {:?} {:?}",
            path.display(),
            f.dtype(),
            f.shape()
        );
    }
    let dim = f.shape()[1];
    let x: Vec<f32> = f
        .data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    drop(bytes);
    let r =
        sslinv_heads::rankme(&x, dim).with_context(|| format!("RankMe of {}", path.display()))?;
    let tmp = args.out.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_string_pretty(&r)?)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &args.out).with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "RankMe {:.3} ({} x {}, {:.2} s) -> {}",
        r.rankme,
        r.n,
        r.dim,
        r.seconds,
        args.out.display()
    );
    Ok(())
}
