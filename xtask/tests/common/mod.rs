//! Helpers shared by the command-line tests.

// Each test binary includes this module and uses only some of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use image::{Rgb, RgbImage};

/// A 32 px PNG of class `c`, image `i`: the class's colour and a per-image pattern.
pub fn write_image(path: &Path, c: u32, i: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    RgbImage::from_fn(32, 32, |x, y| {
        let wave = ((x * (i + 3) + y * (c + 1)) % 17) as u8 * 4;
        Rgb([(c * 80) as u8 ^ wave, (x * 7) as u8, (y * 7 + c * 30) as u8])
    })
    .save(path)
    .unwrap();
}

/// A study.json without its wall-clock times (the numbers two runs must share).
pub fn study_numbers(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("results/study.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["seconds"] = 0.into();
    v["timings"] = serde_json::Value::Null;
    for m in v["models"].as_array_mut().unwrap() {
        m["pretrain_seconds"] = 0.into();
    }
    v
}

/// The JSON paths where `a` and `b` differ (at most `limit`), with both values.
pub fn json_diff(a: &serde_json::Value, b: &serde_json::Value, limit: usize) -> Vec<String> {
    fn walk(a: &serde_json::Value, b: &serde_json::Value, at: String, out: &mut Vec<String>) {
        use serde_json::Value::{Array, Object};
        match (a, b) {
            (Object(x), Object(y)) => {
                for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                    let null = serde_json::Value::Null;
                    let (va, vb) = (x.get(k).unwrap_or(&null), y.get(k).unwrap_or(&null));
                    walk(va, vb, format!("{at}.{k}"), out);
                }
            }
            (Array(x), Array(y)) if x.len() == y.len() => {
                for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                    walk(va, vb, format!("{at}[{i}]"), out);
                }
            }
            _ if a != b => out.push(format!("{at}: {a} vs {b}")),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(a, b, String::new(), &mut out);
    out.truncate(limit);
    out
}

/// Runs `c` to the end, asserting that it succeeded (its output shown where not); its stdout.
pub fn output(c: &mut Command) -> String {
    let o = c.output().unwrap();
    assert!(
        o.status.success(),
        "{c:?} failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}
