//! The report's Markdown view (`README.md`).

use super::tables::{self, Table};
use crate::study::Study;
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
    let _ = writeln!(
        out,
        "Dataset `{}`{}, {:.0} s in all. Open `index.html` for the plots.\n",
        study.dataset,
        if study.quick { " (quick run)" } else { "" },
        study.seconds
    );
    let sections: [(&str, Table); 6] = [
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
        ("Fusion recommendation", tables::recommendations(study)),
    ];
    for (title, t) in sections {
        let _ = writeln!(out, "## {title}\n");
        table(&mut out, &t);
    }
    out
}
