//! Shared helpers for the parity tests: fixture loading and the tolerance checks.
#![allow(dead_code)]

use std::path::PathBuf;

use image::RgbImage;

/// Path of a file under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Loads a fixture PNG as RGB.
pub fn load(name: &str) -> RgbImage {
    image::open(fixture(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .to_rgb8()
}

/// The parsed manifest.json written by scripts/reference/augment.py.
pub fn manifest() -> serde_json::Value {
    let text = std::fs::read_to_string(fixture("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).expect("manifest parses")
}

/// Differences between two same-sized images.
#[derive(Debug)]
pub struct Diff {
    /// Fraction of values that are exactly equal.
    pub exact: f64,
    /// Fraction of values within 1.
    pub within1: f64,
    /// Mean absolute difference.
    pub mad: f64,
    /// Largest absolute difference.
    pub max: u8,
}

/// Compares two images value by value.
pub fn diff(a: &RgbImage, b: &RgbImage) -> Diff {
    assert_eq!(a.dimensions(), b.dimensions(), "image sizes differ");
    let n = a.as_raw().len() as f64;
    let (mut exact, mut within1, mut sum, mut max) = (0usize, 0usize, 0u64, 0u8);
    for (&x, &y) in a.as_raw().iter().zip(b.as_raw()) {
        let d = x.abs_diff(y);
        exact += (d == 0) as usize;
        within1 += (d <= 1) as usize;
        sum += d as u64;
        max = max.max(d);
    }
    Diff {
        exact: exact as f64 / n,
        within1: within1 as f64 / n,
        mad: sum as f64 / n,
        max,
    }
}

/// The tolerance for a case kind: "exact" (nearest-neighbour geometry) needs 99%
/// equal values; "color" needs 99.5% within 1 and a mean absolute difference <= 0.2.
pub fn within_tolerance(kind: &str, d: &Diff) -> bool {
    match kind {
        "exact" => d.exact >= 0.99,
        _ => d.within1 >= 0.995 && d.mad <= 0.2,
    }
}
