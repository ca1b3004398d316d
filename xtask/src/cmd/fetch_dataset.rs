//! `cargo xtask fetch dataset`: download a dataset through hf-hub and unpack it to its real layout;
//! for datasets without a Hub copy, print where to get them and the layout expected.

use std::path::PathBuf;

use anyhow::Context;
use sslinv_datasets::{CheckOptions, canonical, hub_source, layout_help};

/// Arguments of `cargo xtask fetch dataset`.
#[derive(clap::Args)]
pub struct Args {
    /// Dataset name (cifar10, coil100, flowers102, caltech101, flickr1024, lsp, imagenet have Hub copies).
    pub name: String,
    /// Where to unpack it (default: data/<name>).
    #[arg(long)]
    pub root: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let name = canonical(&args.name)?;
    let root = args
        .root
        .unwrap_or_else(|| PathBuf::from("data").join(name));
    let help = layout_help(name)?;
    let Some(src) = hub_source(name) else {
        println!("{name} has no Hub copy.\n{help}");
        anyhow::bail!("`{name}` must be downloaded by hand (see above)");
    };
    println!(
        "fetching {name} from the Hub dataset {} into {}",
        src.repo,
        root.display()
    );
    let report =
        sslinv_datasets::fetch(name, &root, true).with_context(|| format!("fetching `{name}`"))?;
    println!("{report}");
    match sslinv_datasets::check(
        name,
        &root,
        CheckOptions {
            decode: false,
            limit: None,
        },
    ) {
        Ok(check) => {
            for s in &check.splits {
                println!("  {:<5} {:>7} images", s.split, s.count);
            }
            if let Some(g) = &check.groups {
                println!("  {} view groups, {} images", g.count, g.images);
            }
            println!(
                "done: {} (verify with `cargo xtask datasets check --dataset {name} --root {}`)",
                root.display(),
                root.display()
            );
            Ok(())
        }
        Err(e) => {
            println!(
                "the download does not match the layout the loader reads: {e}\nexpected: {help}"
            );
            anyhow::bail!(
                "`{name}` downloaded to {} but needs rearranging (see above)",
                root.display()
            )
        }
    }
}
