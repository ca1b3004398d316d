//! The report step: `study.json` from every result so far, then the report rebuilt from it.

use crate::error::Result;
use crate::gather::gather;
use crate::io::write_json;
use crate::report::{STUDY_FILE, write};
use crate::runner::Runner;

/// Writes `results/study.json` and `report/`.
pub fn run(r: &mut Runner) -> Result<()> {
    if r.data.stats_dataset() == "synth3d" && !r.layout.results.join("samples.png").exists() {
        let cfg = r.data.synth3d()?.config;
        let grid = sslinv_datasets::synth3d::sample_grid(cfg.seed, cfg.size, 8)?;
        let mut png = Vec::new();
        grid.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .map_err(|e| crate::error::StudyError::Invalid(format!("sample grid: {e}")))?;
        crate::io::write_atomic(&r.layout.results.join("samples.png"), &png)?;
    }
    let study = gather(&r.preset, &r.plan, &r.layout, r.data.stats_dataset());
    write_json(&r.layout.results.join(STUDY_FILE), &study)?;
    write(&study, &r.layout.results, &r.layout.report)
}
