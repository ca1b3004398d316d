//! `cargo xtask datasets check`: what a dataset root holds, so a user can verify a download.

use std::path::PathBuf;

use anyhow::Context;
use sslinv_datasets::{CheckOptions, CheckReport, TargetKind};

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

fn target_text(t: &TargetKind) -> String {
    match t {
        TargetKind::Classes { count } => format!("class ids (N), {count} classes"),
        TargetKind::Regression { dim } => format!("regression targets (N x {dim})"),
        TargetKind::Groups { count } => format!("group ids, {count} groups"),
    }
}

fn print_text(r: &CheckReport) {
    println!("{} at {}", r.dataset, r.root);
    for s in &r.splits {
        let classes = match (s.classes_present, s.min_per_class, s.max_per_class) {
            (Some(p), Some(lo), Some(hi)) => {
                format!("; {p} classes present, {lo}..{hi} images per class")
            }
            _ => String::new(),
        };
        println!(
            "  {:<5} {:>7} images, {}{classes}",
            s.split,
            s.count,
            target_text(&s.target)
        );
    }
    if let Some(g) = &r.groups {
        println!(
            "  {} view groups, {} images, {}..{} views per group (mean {:.2})",
            g.count, g.images, g.min_size, g.max_size, g.mean_size
        );
    }
    for e in &r.errors {
        println!("  failed to load {e}");
    }
    if r.decoded > 0 {
        println!(
            "  decoded {} images: {} unreadable",
            r.decoded,
            r.unreadable.len()
        );
    }
    for u in &r.unreadable {
        println!("    {}: {}", u.origin, u.error);
    }
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
        print_text(&report);
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
