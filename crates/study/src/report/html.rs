//! The report's self-contained HTML view (`index.html`): inline SVG plots, tables, findings.

use super::charts;
use super::svg::escape;
use super::tables::{self, Table};
use crate::schema::Study;
use base64::Engine;
use std::fmt::Write;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:1180px;margin:24px auto;padding:0 16px;color:#222}\
h1{margin-bottom:4px}h2{margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}\
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ddd;padding:4px 8px;font-size:13px;text-align:right}\
td:first-child,th:first-child{text-align:left}.yes{color:#1a7f37;font-weight:bold}.no{color:#cf222e;font-weight:bold}\
.smoke{background:#fff3cd;border:1px solid #e0c36c;padding:8px 12px;font-weight:bold}.grid{display:flex;flex-wrap:wrap;gap:8px}.note{color:#555;font-size:13px}img.samples{image-rendering:pixelated;max-width:100%}";

fn table(out: &mut String, t: &Table) {
    if t.rows.is_empty() {
        out.push_str("<p class=\"note\">none</p>");
        return;
    }
    out.push_str("<table><tr>");
    for h in &t.header {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr>");
    for row in &t.rows {
        out.push_str("<tr>");
        for c in row {
            let class = match c.as_str() {
                "reproduced" => " class=\"yes\"",
                "not reproduced" => " class=\"no\"",
                _ => "",
            };
            let _ = write!(out, "<td{class}>{}</td>", escape(c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

/// Renders the study as one HTML page; `sample_png` is embedded as a data URI when given.
pub fn render(study: &Study, sample_png: Option<&[u8]>) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        escape(&study.title)
    );
    let _ = write!(
        out,
        "<h1>{}</h1><p class=\"note\">Preset <code>{}</code> · dataset <code>{}</code> · protocol <code>{}</code> · {:.0} s of step time, summed over steps · made by sslinv, after Ericsson, Gouk &amp; Hospedales, BMVC 2022. Baselines: a random-init and a supervised encoder, where measured. Intervals are 95 % bootstrap intervals; a finding is decided only when they do not overlap.</p>",
        escape(&study.title),
        escape(&study.preset),
        escape(&study.dataset),
        escape(&study.protocol),
        study.seconds
    );
    if study.smoke {
        out.push_str(&format!("<p class=\"smoke\">{}</p>", super::SMOKE_NOTE));
    }
    out.push_str("<h2>The paper's findings on this run</h2>");
    table(&mut out, &tables::findings(study));
    if let Some(png) = sample_png {
        let data = base64::engine::general_purpose::STANDARD.encode(png);
        let _ = write!(
            out,
            "<h2>Data</h2><img class=\"samples\" alt=\"sample images\" src=\"data:image/png;base64,{data}\">"
        );
    }
    out.push_str("<h2>Models</h2>");
    table(&mut out, &tables::models(study));
    out.push_str("<h2>Synthetic invariance</h2>");
    out.push_str(&charts::invariance_profile(study));
    table(&mut out, &tables::synthetic(study));
    out.push_str("<div class=\"grid\">");
    for transform in charts::ordered(study.synthetic.iter().map(|e| e.transform.as_str())) {
        out.push_str(&charts::similarity_curve(study, &transform));
    }
    out.push_str("</div>");
    out.push_str("<h2>Real-world invariance</h2>");
    out.push_str(&charts::multiview_bars(study));
    table(&mut out, &tables::multiview(study));
    out.push_str("<h2>Downstream transfer</h2>");
    out.push_str(&charts::downstream_bars(study));
    table(&mut out, &tables::downstream(study));
    out.push_str("<h2>Invariance against transfer</h2><div class=\"grid\">");
    out.push_str(&charts::invariance_vs_transfer(study, "spatial"));
    out.push_str(&charts::invariance_vs_transfer(study, "appearance"));
    out.push_str("</div><h2>Extrinsic invariance</h2>");
    table(&mut out, &tables::extrinsic(study));
    out.push_str("<h2>Fusion recommendation</h2>");
    table(&mut out, &tables::recommendations(study));
    out.push_str("<h2>Time</h2>");
    table(&mut out, &tables::timings(study));
    out.push_str("</body></html>\n");
    out
}
