//! `cargo xtask rankme`: RankMe, the label-free transfer predictor, of a saved feature matrix.

use anyhow::Context;
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
    let f = sslinv_heads::FeatureFile::read(path)?;
    let r = sslinv_heads::rankme(&f.x, f.dim)
        .with_context(|| format!("RankMe of {}", path.display()))?;
    crate::write_json(&args.out, &r)?;
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
