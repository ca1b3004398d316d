//! `cargo xtask datasets check`: what a dataset root holds, so a user can verify a download.

use std::path::PathBuf;

use anyhow::Context;
use sslinv_datasets::CheckOptions;

/// Arguments of `cargo xtask datasets check`.
#[derive(clap::Args)]
pub struct Args {
    /// Dataset name (e.g. cifar10, flowers102, 300w, coil100, aloi-illumination).
    #[arg(long)]
    pub dataset: String,
    /// The dataset's root folder, in the layout `cargo xtask fetch dataset NAME` prints.
    #[arg(long)]
    pub root: PathBuf,
    /// Only read the file lists and annotations; do not decode images.
    #[arg(long)]
    pub no_decode: bool,
    /// Decode at most this many images per split (or per view dataset).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let opts = CheckOptions {
        decode: !args.no_decode,
        limit: args.limit,
    };
    // Decoding a large split takes a while: show that work is going on (stderr, so --json stays clean).
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_message(format!(
        "checking {} under {}",
        args.dataset,
        args.root.display()
    ));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let result = sslinv_datasets::check(&args.dataset, &args.root, opts);
    spinner.finish_and_clear();
    let report = result
        .with_context(|| format!("checking `{}` under {}", args.dataset, args.root.display()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    if !report.ok() {
        anyhow::bail!(
            "{}: {} unreadable files, {} splits failed to load",
            report.dataset,
            report.unreadable.len(),
            report.errors.len()
        );
    }
    Ok(())
}
