//! `check`: what a dataset root holds (counts per split, target shape, group sizes, unreadable files).

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::dataset::Dataset;
use crate::error::Result;
use crate::registry::{canonical, is_view_dataset, open, open_views, splits_of};
use crate::target::{TargetKind, Targets};

/// How thoroughly to check.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    /// Decode images to find unreadable ones (else only the annotations and file lists are read).
    pub decode: bool,
    /// Decode at most this many images per split or per view dataset.
    pub limit: Option<usize>,
}

/// One split's summary.
#[derive(Debug, Clone, Serialize)]
pub struct SplitReport {
    /// Split name.
    pub split: String,
    /// Images in the split.
    pub count: usize,
    /// Target kind and shape.
    pub target: TargetKind,
    /// Classes with at least one image (classification only).
    pub classes_present: Option<usize>,
    /// Fewest images of a present class.
    pub min_per_class: Option<usize>,
    /// Most images of a class.
    pub max_per_class: Option<usize>,
}

/// View-group summary.
#[derive(Debug, Clone, Serialize)]
pub struct GroupReport {
    /// Number of groups.
    pub count: usize,
    /// Images over all groups.
    pub images: usize,
    /// Smallest group.
    pub min_size: usize,
    /// Largest group.
    pub max_size: usize,
    /// Mean group size.
    pub mean_size: f64,
}

/// A file that failed to decode.
#[derive(Debug, Clone, Serialize)]
pub struct Unreadable {
    /// The file (or `file#row`).
    pub origin: String,
    /// Why.
    pub error: String,
}

/// Everything `check` found.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// Canonical dataset name.
    pub dataset: String,
    /// The root checked.
    pub root: String,
    /// Per-split summaries (empty for view datasets).
    pub splits: Vec<SplitReport>,
    /// View groups (view datasets only).
    pub groups: Option<GroupReport>,
    /// Images decoded while looking for unreadable files.
    pub decoded: usize,
    /// Files that failed to decode.
    pub unreadable: Vec<Unreadable>,
    /// Splits that failed to load, with the cause.
    pub errors: Vec<String>,
}

impl CheckReport {
    /// True when nothing failed.
    pub fn ok(&self) -> bool {
        self.unreadable.is_empty() && self.errors.is_empty()
    }
}

fn class_counts(targets: &Targets) -> (Option<usize>, Option<usize>, Option<usize>) {
    let Targets::Classes { ids, count } = targets else {
        return (None, None, None);
    };
    let mut hist = vec![0usize; *count];
    for &i in ids {
        if let Some(h) = usize::try_from(i).ok().and_then(|i| hist.get_mut(i)) {
            *h += 1;
        }
    }
    let present: Vec<usize> = hist.into_iter().filter(|&h| h > 0).collect();
    (
        Some(present.len()),
        present.iter().min().copied(),
        present.iter().max().copied(),
    )
}

fn decode_all(set: &dyn Dataset, limit: Option<usize>) -> (usize, Vec<Unreadable>) {
    let n = limit.map_or(set.len(), |l| l.min(set.len()));
    let bad: Vec<Unreadable> = (0..n)
        .into_par_iter()
        .filter_map(|i| {
            set.image(i).err().map(|e| Unreadable {
                origin: set.origin(i),
                error: e.to_string(),
            })
        })
        .collect();
    (n, bad)
}

/// Checks the dataset `name` under `root`. Fails only when nothing at all could be loaded.
pub fn check(name: &str, root: &Path, opts: CheckOptions) -> Result<CheckReport> {
    let canon = canonical(name)?;
    let mut report = CheckReport {
        dataset: canon.into(),
        root: root.display().to_string(),
        splits: Vec::new(),
        groups: None,
        decoded: 0,
        unreadable: Vec::new(),
        errors: Vec::new(),
    };
    if is_view_dataset(canon) {
        let groups = open_views(canon, root)?;
        let sizes = groups.sizes();
        report.groups = Some(GroupReport {
            count: sizes.len(),
            images: groups.total_images(),
            min_size: sizes.iter().copied().min().unwrap_or(0),
            max_size: sizes.iter().copied().max().unwrap_or(0),
            mean_size: groups.total_images() as f64 / sizes.len().max(1) as f64,
        });
        if opts.decode {
            let (n, bad) = decode_all(&groups.to_dataset(), opts.limit);
            report.decoded = n;
            report.unreadable = bad;
        }
        return Ok(report);
    }
    let mut first_error = None;
    for &split in splits_of(canon)? {
        match open(canon, root, split) {
            Ok(set) => {
                let targets = set.targets();
                let (classes_present, min_per_class, max_per_class) = class_counts(&targets);
                report.splits.push(SplitReport {
                    split: split.name().into(),
                    count: set.len(),
                    target: set.target_kind(),
                    classes_present,
                    min_per_class,
                    max_per_class,
                });
                if opts.decode {
                    let (n, mut bad) = decode_all(set.as_ref(), opts.limit);
                    report.decoded += n;
                    report.unreadable.append(&mut bad);
                }
            }
            Err(e) => {
                report.errors.push(format!("{split}: {e}"));
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) if report.splits.is_empty() => Err(e),
        _ => Ok(report),
    }
}

fn target_text(t: &TargetKind) -> String {
    match t {
        TargetKind::Classes { count } => format!("class ids (N), {count} classes"),
        TargetKind::Regression { dim } => format!("regression targets (N x {dim})"),
        TargetKind::Groups { count } => format!("group ids, {count} groups"),
    }
}

impl std::fmt::Display for CheckReport {
    /// What a user reads: counts per split, targets, view groups, and every unreadable file.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = self;
        writeln!(f, "{} at {}", r.dataset, r.root)?;
        for s in &r.splits {
            let classes = match (s.classes_present, s.min_per_class, s.max_per_class) {
                (Some(p), Some(lo), Some(hi)) => {
                    format!("; {p} classes present, {lo}..{hi} images per class")
                }
                _ => String::new(),
            };
            writeln!(
                f,
                "  {:<5} {:>7} images, {}{classes}",
                s.split,
                s.count,
                target_text(&s.target)
            )?;
        }
        if let Some(g) = &r.groups {
            writeln!(
                f,
                "  {} view groups, {} images, {}..{} views per group (mean {:.2})",
                g.count, g.images, g.min_size, g.max_size, g.mean_size
            )?;
        }
        for e in &r.errors {
            writeln!(f, "  failed to load {e}")?;
        }
        if r.decoded > 0 {
            writeln!(
                f,
                "  decoded {} images: {} unreadable",
                r.decoded,
                r.unreadable.len()
            )?;
        }
        for u in &r.unreadable {
            writeln!(f, "    {}: {}", u.origin, u.error)?;
        }
        Ok(())
    }
}
