//! The iBUG `.pts` landmark format: `version: 1`, `n_points: N`, `{`, N lines `x y`, `}`.

use std::path::Path;

use crate::error::{DatasetError, Result};
use crate::fsutil;

/// Reads the points of a `.pts` file, checking the declared count.
pub fn read_pts(path: &Path) -> Result<Vec<[f64; 2]>> {
    let text = fsutil::read_text(path)?;
    let mut declared = None;
    let mut points = Vec::new();
    let mut inside = false;
    let mut closed = false;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let bad = |why: &str| DatasetError::annotation(path, n + 1, why.to_string());
        if line.is_empty() || closed {
            continue;
        }
        if !inside {
            if let Some(v) = line.strip_prefix("n_points:") {
                declared = Some(
                    v.trim()
                        .parse::<usize>()
                        .map_err(|_| bad("n_points is not an integer"))?,
                );
            } else if line == "{" {
                inside = true;
            } else if !line.starts_with("version") {
                return Err(bad("unexpected line before `{`"));
            }
            continue;
        }
        if line == "}" {
            closed = true;
            continue;
        }
        let mut parts = line.split_whitespace();
        let (Some(x), Some(y), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("want two numbers `x y`"));
        };
        let x: f64 = x.parse().map_err(|_| bad("x is not a number"))?;
        let y: f64 = y.parse().map_err(|_| bad("y is not a number"))?;
        if !x.is_finite() || !y.is_finite() {
            return Err(bad("coordinate is not finite"));
        }
        points.push([x, y]);
    }
    if !closed {
        return Err(DatasetError::format(path, "no closing `}`"));
    }
    if let Some(d) = declared
        && d != points.len()
    {
        return Err(DatasetError::format(
            path,
            format!("n_points is {d} but {} points follow", points.len()),
        ));
    }
    Ok(points)
}
