//! Input checks and row gathering for row-major `f32` matrices.

use crate::error::{HeadsError, Result};

/// Number of rows of a row-major matrix with `dim` columns, checking the length.
pub fn rows_of(x: &[f32], dim: usize, what: &'static str) -> Result<usize> {
    if dim == 0 {
        return Err(HeadsError::Shape(format!("{what}: feature dimension is 0")));
    }
    if !x.len().is_multiple_of(dim) {
        return Err(HeadsError::Shape(format!(
            "{what}: {} values is not a whole number of rows of {dim}",
            x.len()
        )));
    }
    let n = x.len() / dim;
    if n == 0 {
        return Err(HeadsError::Empty(format!("{what} has no rows")));
    }
    if let Some(p) = x.iter().position(|v| !v.is_finite()) {
        return Err(HeadsError::NonFinite {
            what,
            row: p / dim,
            col: p % dim,
        });
    }
    Ok(n)
}

/// Checks there is one label per feature row; `what` names the labels in the error.
pub fn check_label_rows(what: &str, rows: usize, labels: usize) -> Result<()> {
    if labels != rows {
        return Err(HeadsError::Shape(format!(
            "{what}: {rows} feature rows but {labels} label rows"
        )));
    }
    Ok(())
}

/// Width of row-major regression targets for `n` training rows (and, given, `m` test rows
/// whose targets must have the same width).
pub fn target_width(n: usize, train_y: &[f32], test: Option<(usize, &[f32])>) -> Result<usize> {
    if train_y.is_empty() || !train_y.len().is_multiple_of(n) {
        return Err(HeadsError::Shape(format!(
            "{n} training rows but {} target values",
            train_y.len()
        )));
    }
    let t = train_y.len() / n;
    match test {
        Some((m, test_y)) if test_y.len() != m * t => Err(HeadsError::Shape(format!(
            "{m} test rows of width {t} but {} target values",
            test_y.len()
        ))),
        _ => Ok(t),
    }
}

/// Rows `idx` of a row-major matrix with `dim` columns.
pub fn gather(x: &[f32], dim: usize, idx: &[usize]) -> Vec<f32> {
    let mut out = Vec::with_capacity(idx.len() * dim);
    for &i in idx {
        out.extend_from_slice(&x[i * dim..(i + 1) * dim]);
    }
    out
}
