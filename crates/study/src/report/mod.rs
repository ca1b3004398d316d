//! The report: `index.html` (self-contained, inline SVG), `README.md` (tables) and the JSON.

mod charts;
mod html;
mod markdown;
mod svg;
mod tables;

use crate::error::{Result, StudyError};
use crate::io::{read_json, write_atomic, write_json};
use crate::schema::Study;
use std::path::Path;

/// Name of the aggregate results file inside a results folder.
pub const STUDY_FILE: &str = "study.json";

/// What the report says at the top of a smoke run.
pub const SMOKE_NOTE: &str = "This is a smoke test: its numbers mean nothing (tiny data, seconds of training). Run the full preset for results.";

/// Reads `study.json` from a results folder.
pub fn read_study(results: &Path) -> Result<Study> {
    read_json(&results.join(STUDY_FILE))
}

/// Writes the report for `study` into `out`; the sample grid is read relative to `results`.
pub fn write(study: &Study, results: &Path, out: &Path) -> Result<()> {
    let sample = match &study.sample_grid {
        Some(rel) => {
            let path = results.join(rel);
            Some(std::fs::read(&path).map_err(|source| StudyError::Io { path, source })?)
        }
        None => None,
    };
    write_atomic(
        &out.join("index.html"),
        html::render(study, sample.as_deref()).as_bytes(),
    )?;
    write_atomic(&out.join("README.md"), markdown::render(study).as_bytes())?;
    write_json(&out.join(STUDY_FILE), study)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::*;

    fn study() -> Study {
        let synthetic = ["ventral", "dorsal"]
            .iter()
            .flat_map(|m| {
                [("rotation", "spatial"), ("hue", "appearance")].map(|(t, f)| SyntheticEntry {
                    model: m.to_string(),
                    transform: t.to_string(),
                    family: f.to_string(),
                    params: vec![0.0, 0.5, 1.0],
                    similarity: vec![1.0, 0.5, 0.4],
                    mean_similarity: 0.63,
                    ci95: Some([0.6, 0.66]),
                    mean_distance: 10.0,
                })
            })
            .collect();
        Study {
            title: "test <study>".into(),
            dataset: "synth3d".into(),
            synthetic,
            downstream: vec![DownstreamEntry {
                model: "ventral".into(),
                task: "class".into(),
                metric: "accuracy".into(),
                score: 0.8,
                ci95: None,
                lambda: 1.0,
                knn: Some(0.7),
            }],
            findings: vec![Finding {
                claim: "ventral is spatially invariant".into(),
                verdict: Verdict::Reproduced,
                detail: "0.7 > 0.5".into(),
            }],
            ..Study::default()
        }
    }

    #[test]
    fn writes_html_markdown_and_json() {
        let dir = tempfile::tempdir().unwrap();
        write(&study(), dir.path(), dir.path()).unwrap();
        let html = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
        assert!(html.contains("<svg") && html.contains("test &lt;study&gt;"));
        assert!(html.contains("class=\"yes\""));
        let md = std::fs::read_to_string(dir.path().join("README.md")).unwrap();
        assert!(
            md.contains("| rotation | spatial | 0.630 [0.600, 0.660] | 0.630 [0.600, 0.660] |"),
            "{md}"
        );
        let back = read_study(dir.path()).unwrap();
        assert_eq!(back.synthetic.len(), 4);
    }

    /// Renders the page in headless Chromium and checks the screenshot shows more than a blank
    /// page. Without a browser it says so and passes, unless `SSLINV_REQUIRE_BROWSER=1` (CI
    /// installs Chromium and sets it, so there the check always runs).
    #[test]
    fn renders_in_headless_chromium() {
        let required = std::env::var_os("SSLINV_REQUIRE_BROWSER").is_some_and(|v| v == "1");
        let Some(browser) = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .into_iter()
            .find(|p| Path::new(p).exists())
        else {
            assert!(
                !required,
                "SSLINV_REQUIRE_BROWSER=1 but no /usr/bin/chromium"
            );
            eprintln!("skipped: no headless Chromium here (CI runs this check)");
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        write(&study(), dir.path(), dir.path()).unwrap();
        let shot = dir.path().join("shot.png");
        let status = std::process::Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--window-size=1200,900",
            ])
            .arg(format!(
                "--user-data-dir={}",
                dir.path().join("profile").display()
            ))
            .arg(format!("--screenshot={}", shot.display()))
            .arg(format!(
                "file://{}",
                dir.path().join("index.html").display()
            ))
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "chromium exited with {status}");
        let png = image::open(&shot).unwrap().to_rgb8();
        assert_eq!(png.dimensions(), (1200, 900));
        // The page draws coloured bars and text: many pixels must differ from white.
        let inked = png
            .pixels()
            .filter(|p| p.0.iter().any(|&c| c < 200))
            .count();
        assert!(
            inked > 2000,
            "only {inked} non-white pixels: the page did not render"
        );
    }
}
