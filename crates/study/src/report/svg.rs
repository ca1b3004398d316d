//! A small SVG chart writer: axes, grouped bars, lines and points, with a legend.

use std::fmt::Write;

/// Colours for series, chosen to stay distinguishable in print.
pub const PALETTE: [&str; 8] = [
    "#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb", "#000000",
];

/// Escapes text for SVG and HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A plot area with data ranges mapped to pixels.
pub struct Frame {
    /// SVG width in pixels.
    pub width: f64,
    /// SVG height in pixels.
    pub height: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    x_range: (f64, f64),
    y_range: (f64, f64),
    body: String,
}

impl Frame {
    /// A frame of the given size over the given data ranges.
    pub fn new(width: f64, height: f64, x_range: (f64, f64), y_range: (f64, f64)) -> Self {
        let pad = |(lo, hi): (f64, f64)| {
            if (hi - lo).abs() < 1e-12 {
                (lo - 0.5, hi + 0.5)
            } else {
                (lo, hi)
            }
        };
        Self {
            width,
            height,
            left: 52.0,
            right: 12.0,
            top: 28.0,
            bottom: 46.0,
            x_range: pad(x_range),
            y_range: pad(y_range),
            body: String::new(),
        }
    }

    /// Pixel x of a data x.
    pub fn px(&self, x: f64) -> f64 {
        let (lo, hi) = self.x_range;
        self.left + (x - lo) / (hi - lo) * (self.width - self.left - self.right)
    }

    /// Pixel y of a data y.
    pub fn py(&self, y: f64) -> f64 {
        let (lo, hi) = self.y_range;
        self.height - self.bottom - (y - lo) / (hi - lo) * (self.height - self.top - self.bottom)
    }

    /// Width in pixels of the plot area.
    pub fn inner_width(&self) -> f64 {
        self.width - self.left - self.right
    }

    /// Draws the title, the y axis with ticks and grid lines, and the x axis label.
    pub fn axes(&mut self, title: &str, x_label: &str, y_label: &str, x_ticks: bool) {
        let (x0, x1) = (self.left, self.width - self.right);
        let (y0, y1) = (self.top, self.height - self.bottom);
        let _ = write!(
            self.body,
            r#"<text x="{:.1}" y="16" font-size="13" font-weight="bold" text-anchor="middle">{}</text>"#,
            self.width / 2.0,
            escape(title)
        );
        for tick in nice_ticks(self.y_range, 5) {
            let y = self.py(tick);
            let _ = write!(
                self.body,
                r##"<line x1="{x0:.1}" x2="{x1:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#e5e5e5"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{}</text>"##,
                x0 - 4.0,
                y + 3.5,
                format_tick(tick)
            );
        }
        if x_ticks {
            for tick in nice_ticks(self.x_range, 6) {
                let x = self.px(tick);
                let _ = write!(
                    self.body,
                    r#"<text x="{x:.1}" y="{:.1}" font-size="10" text-anchor="middle">{}</text>"#,
                    y1 + 13.0,
                    format_tick(tick)
                );
            }
        }
        let _ = write!(
            self.body,
            r##"<line x1="{x0:.1}" x2="{x0:.1}" y1="{y0:.1}" y2="{y1:.1}" stroke="#333"/><line x1="{x0:.1}" x2="{x1:.1}" y1="{y1:.1}" y2="{y1:.1}" stroke="#333"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}</text><text transform="translate(12 {:.1}) rotate(-90)" font-size="11" text-anchor="middle">{}</text>"##,
            (x0 + x1) / 2.0,
            self.height - 6.0,
            escape(x_label),
            (y0 + y1) / 2.0,
            escape(y_label)
        );
    }

    /// A filled rectangle between two data y values at pixel x and width.
    pub fn bar(&mut self, x: f64, width: f64, y_from: f64, y_to: f64, colour: &str, tip: &str) {
        let (a, b) = (self.py(y_from), self.py(y_to));
        let _ = write!(
            self.body,
            r#"<rect x="{x:.1}" y="{:.1}" width="{width:.1}" height="{:.1}" fill="{colour}"><title>{}</title></rect>"#,
            a.min(b),
            (a - b).abs().max(0.5),
            escape(tip)
        );
    }

    /// A polyline through data points.
    pub fn line(&mut self, points: &[(f64, f64)], colour: &str) {
        let path: Vec<String> = points
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|&(x, y)| format!("{:.1},{:.1}", self.px(x), self.py(y)))
            .collect();
        let _ = write!(
            self.body,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="1.6"/>"#,
            path.join(" ")
        );
    }

    /// A point with a hover label.
    pub fn point(&mut self, x: f64, y: f64, colour: &str, tip: &str) {
        let _ = write!(
            self.body,
            r#"<circle cx="{:.1}" cy="{:.1}" r="4" fill="{colour}" fill-opacity="0.85"><title>{}</title></circle>"#,
            self.px(x),
            self.py(y),
            escape(tip)
        );
    }

    /// Text at a pixel position (e.g. category labels under grouped bars).
    pub fn label(&mut self, x: f64, y: f64, text: &str, rotate: bool) {
        let transform = if rotate {
            format!(r#" transform="rotate(-30 {x:.1} {y:.1})""#)
        } else {
            String::new()
        };
        let anchor = if rotate { "end" } else { "middle" };
        let _ = write!(
            self.body,
            r#"<text x="{x:.1}" y="{y:.1}" font-size="10" text-anchor="{anchor}"{transform}>{}</text>"#,
            escape(text)
        );
    }

    /// Pixel y just below the x axis.
    pub fn below_axis(&self) -> f64 {
        self.height - self.bottom + 13.0
    }

    /// A legend in the top-right corner.
    pub fn legend(&mut self, names: &[String]) {
        let mut y = self.top + 4.0;
        let x = self.width - self.right - 150.0;
        for (i, name) in names.iter().enumerate() {
            let _ = write!(
                self.body,
                r#"<rect x="{x:.1}" y="{y:.1}" width="10" height="10" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="10">{}</text>"#,
                PALETTE[i % PALETTE.len()],
                x + 14.0,
                y + 9.0,
                escape(name)
            );
            y += 14.0;
        }
    }

    /// The finished SVG element.
    pub fn finish(self) -> String {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif">{}</svg>"#,
            self.body,
            w = self.width,
            h = self.height
        )
    }
}

/// Round tick values covering a range.
pub fn nice_ticks((lo, hi): (f64, f64), count: usize) -> Vec<f64> {
    let span = (hi - lo).abs().max(1e-12);
    let raw = span / count.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * 0.7)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    let mut ticks: Vec<f64> = (first..=last).map(|k| k as f64 * step).collect();
    for t in &mut ticks {
        // Snap values like 0.6000000000000001 so labels and comparisons stay clean.
        *t = (*t / magnitude * 1e6).round() / 1e6 * magnitude;
    }
    ticks
}

fn format_tick(v: f64) -> String {
    if v.abs() >= 100.0 || v == v.round() {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The smallest and largest finite values, or (0, 1) when there are none.
pub fn finite_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi { (0.0, 1.0) } else { (lo, hi) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        let t = nice_ticks((0.0, 1.0), 5);
        let want = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0];
        assert_eq!(t.len(), want.len());
        assert!(
            t.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12),
            "{t:?}"
        );
        let t = nice_ticks((-0.37, 0.92), 5);
        assert!(t.first().unwrap() >= &-0.37 && t.last().unwrap() <= &0.92);
        assert!(t.len() >= 4);
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
