//! The report's Markdown view (`README.md`).

use super::tables::{self, Table};
use crate::schema::Study;
use std::fmt::Write;

fn table(out: &mut String, t: &Table) {
    if t.rows.is_empty() {
        out.push_str("_none_\n\n");
        return;
    }
    let _ = writeln!(out, "| {} |", t.header.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(t.header.len()));
    for row in &t.rows {
        let _ = writeln!(out, "| {} |", row.join(" | ").replace('\n', " "));
    }
    out.push('\n');
}

/// Renders the whole study as Markdown tables.
pub fn render(study: &Study) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", study.title);
    if study.smoke {
        let _ = writeln!(out, "> **{}**\n", super::SMOKE_NOTE);
    }
    let _ = writeln!(
        out,
        "Preset `{}`, dataset `{}`, protocol `{}`, {:.0} s of step time, summed over steps. Intervals are 95 % bootstrap intervals; a finding is decided only when they do not overlap. Open `index.html` for the plots.\n",
        study.preset, study.dataset, study.protocol, study.seconds
    );
    let sections: [(&str, Table); 8] = [
        ("The paper's findings on this run", tables::findings(study)),
        ("Models", tables::models(study)),
        (
            "Synthetic invariance (mean whitened cosine similarity)",
            tables::synthetic(study),
        ),
        (
            "Real-world invariance (mean whitened cosine over view pairs)",
            tables::multiview(study),
        ),
        (
            "Downstream transfer (test scores)",
            tables::downstream(study),
        ),
        (
            "Extrinsic invariance (latent regression)",
            tables::extrinsic(study),
        ),
        ("Fusion recommendation", tables::recommendations(study)),
        ("Time", tables::timings(study)),
    ];
    for (title, t) in sections {
        let _ = writeln!(out, "## {title}\n");
        table(&mut out, &t);
    }
    out
}
