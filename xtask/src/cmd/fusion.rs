//! `cargo xtask fusion recommend`: per task, which fusion of a study's encoders invariance alone
//! picks, which one measured best, and how well the two rankings agree (Spearman).

use std::path::PathBuf;

use crate::write_json;
use sslinv_study::commands::recommend_fusions;

/// Subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Rank fusions per task from a results folder's `study.json` (invariance profiles and
    /// downstream scores of single and fused models).
    Recommend {
        /// Results folder holding `study.json` (as `cargo xtask demo` writes it).
        #[arg(long)]
        results: PathBuf,
        /// Only this task (default: every task with downstream scores).
        #[arg(long)]
        task: Option<String>,
        /// Also use multi-view invariance (per view kind) in the profiles, besides the
        /// synthetic transforms.
        #[arg(long)]
        multiview: bool,
        /// Output JSON.
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs the subcommand.
pub fn run(command: Command) -> anyhow::Result<()> {
    let Command::Recommend {
        results,
        task,
        multiview,
        out,
    } = command;
    let report = recommend_fusions(&results, task.as_deref(), multiview)?;
    print!("{}", report.table());
    write_json(&out, &report)?;
    println!("-> {}", out.display());
    Ok(())
}
