//! `cargo xtask report`: rebuild the report from result JSON.

use std::path::PathBuf;

/// Arguments of `cargo xtask report`.
#[derive(clap::Args)]
pub struct Args {
    /// Folder holding `study.json` (as written by `demo` or `pipeline`).
    #[arg(long)]
    results: PathBuf,
    /// Folder to write `index.html`, `README.md` and the JSON into.
    #[arg(long)]
    out: PathBuf,
}

/// Reads the study and writes the report.
pub fn run(args: Args) -> anyhow::Result<()> {
    let study = sslinv_study::report::read_study(&args.results)?;
    sslinv_study::report::write(&study, &args.results, &args.out)?;
    println!(
        "report written to {}",
        args.out.join("index.html").display()
    );
    Ok(())
}
