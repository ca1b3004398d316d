//! The report's plots, each a self-contained SVG string.

use super::svg::{Frame, PALETTE, finite_range};
use crate::schema::Study;

/// Distinct values in first-seen order.
pub fn ordered<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    }
    out
}

/// Grouped bars: one group per category, one bar per series, in first-seen order; `cells` are
/// (category, series, value), the first of a pair counting.
fn grouped_bars<'a>(
    title: &str,
    y_label: &str,
    cells: impl IntoIterator<Item = (&'a str, &'a str, f64)>,
) -> String {
    let cells: Vec<_> = cells.into_iter().collect();
    let categories = ordered(cells.iter().map(|c| c.0));
    let series = ordered(cells.iter().map(|c| c.1));
    let value = |s: &str, c: &str| cells.iter().find(|x| x.1 == s && x.0 == c).map(|x| x.2);
    let values: Vec<f64> = categories
        .iter()
        .flat_map(|c| {
            series
                .iter()
                .filter_map(|s| value(s, c))
                .collect::<Vec<_>>()
        })
        .collect();
    let (lo, hi) = finite_range(values.iter().copied().chain([0.0]));
    let width = (120.0 + categories.len() as f64 * (18.0 * series.len() as f64 + 14.0)).max(520.0);
    let mut frame = Frame::new(
        width,
        320.0,
        (0.0, categories.len() as f64),
        (lo, hi * 1.05),
    );
    frame.axes(title, "", y_label, false);
    let group = frame.inner_width() / categories.len().max(1) as f64;
    let bar = (group * 0.8 / series.len().max(1) as f64).min(22.0);
    for (ci, category) in categories.iter().enumerate() {
        let start = frame.px(ci as f64) + (group - bar * series.len() as f64) / 2.0;
        for (si, s) in series.iter().enumerate() {
            if let Some(v) = value(s, category) {
                let tip = format!("{s} / {category}: {v:.3}");
                frame.bar(
                    start + si as f64 * bar,
                    bar * 0.92,
                    0.0,
                    v,
                    PALETTE[si % PALETTE.len()],
                    &tip,
                );
            }
        }
        let y = frame.below_axis();
        frame.label(frame.px(ci as f64 + 0.5), y, category, categories.len() > 6);
    }
    frame.legend(&series);
    frame.finish()
}

/// Mean synthetic invariance per transform, one bar per model.
pub fn invariance_profile(study: &Study) -> String {
    grouped_bars(
        "Synthetic invariance profile",
        "mean whitened cosine similarity",
        study
            .synthetic
            .iter()
            .map(|e| (&*e.transform, &*e.model, e.mean_similarity)),
    )
}

/// Similarity against the transform's parameter, one line per model.
pub fn similarity_curve(study: &Study, transform: &str) -> String {
    let entries: Vec<_> = study
        .synthetic
        .iter()
        .filter(|e| e.transform == transform)
        .collect();
    let models = ordered(entries.iter().map(|e| e.model.as_str()));
    let x = finite_range(entries.iter().flat_map(|e| e.params.iter().copied()));
    let y = finite_range(
        entries
            .iter()
            .flat_map(|e| e.similarity.iter().copied())
            .chain([0.0, 1.0]),
    );
    let mut frame = Frame::new(330.0, 230.0, x, y);
    frame.axes(transform, "parameter", "similarity", true);
    for (i, model) in models.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        for e in entries.iter().filter(|e| &e.model == model) {
            let points: Vec<(f64, f64)> = e
                .params
                .iter()
                .copied()
                .zip(e.similarity.iter().copied())
                .collect();
            if points.len() <= 2 {
                for &(px, py) in &points {
                    frame.point(px, py, colour, &format!("{model}: {py:.3}"));
                }
            } else {
                frame.line(&points, colour);
            }
        }
    }
    frame.legend(&models);
    frame.finish()
}

/// Multi-view invariance per view kind, one bar per model.
pub fn multiview_bars(study: &Study) -> String {
    grouped_bars(
        "Real-world (multi-view) invariance",
        "mean whitened cosine similarity",
        study
            .multiview
            .iter()
            .map(|e| (&*e.kind, &*e.model, e.similarity)),
    )
}

/// Downstream test score per task, one bar per model (fusions included).
pub fn downstream_bars(study: &Study) -> String {
    grouped_bars(
        "Downstream transfer",
        "test score (accuracy or R²)",
        study
            .downstream
            .iter()
            .map(|e| (&*e.task, &*e.model, e.score)),
    )
}

/// Mean synthetic invariance of a model over one family of transforms.
pub fn family_invariance(study: &Study, model: &str, family: &str) -> Option<f64> {
    let values: Vec<f64> = study
        .synthetic
        .iter()
        .filter(|e| e.model == model && e.family == family)
        .map(|e| e.mean_similarity)
        .collect();
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Downstream score against a family's invariance, one colour per task.
pub fn invariance_vs_transfer(study: &Study, family: &str) -> String {
    let tasks = ordered(study.downstream.iter().map(|e| e.task.as_str()));
    let points: Vec<(usize, String, f64, f64)> = study
        .downstream
        .iter()
        .filter_map(|e| {
            let inv = family_invariance(study, &e.model, family)?;
            let task = tasks.iter().position(|t| *t == e.task)?;
            Some((task, e.model.clone(), inv, e.score))
        })
        .collect();
    let x = finite_range(points.iter().map(|p| p.2));
    let y = finite_range(points.iter().map(|p| p.3).chain([0.0]));
    let mut frame = Frame::new(420.0, 300.0, (x.0 - 0.02, x.1 + 0.02), (y.0, y.1 * 1.05));
    frame.axes(
        &format!("Transfer vs {family} invariance"),
        &format!("mean {family} invariance"),
        "test score",
        true,
    );
    for (task, model, inv, score) in &points {
        let tip = format!(
            "{model} on {}: invariance {inv:.3}, score {score:.3}",
            tasks[*task]
        );
        frame.point(*inv, *score, PALETTE[task % PALETTE.len()], &tip);
    }
    frame.legend(&tasks);
    frame.finish()
}
