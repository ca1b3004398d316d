//! Generates synth3d data and writes a sample grid and a landmark overlay.
//!
//! `cargo run --release -p sslinv-datasets --example synth3d -- [quick|demo] [OUT_DIR]`
//! times the generation of the chosen config (no cache) and writes `OUT_DIR/synth3d_grid.png`
//! and `OUT_DIR/synth3d_landmarks.png` (default `out/synth3d`). With a third argument `CACHE_DIR` it
//! also times writing and reading back the cache there.

use sslinv_datasets::synth3d::{
    CLASS_NAMES, GroupKind, Synth3d, Synth3dConfig, landmark_sheet, sample_grid,
};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match args.first().map(String::as_str) {
        Some("demo") => Synth3dConfig::demo(),
        _ => Synth3dConfig::quick(),
    };
    let out = PathBuf::from(args.get(1).map(String::as_str).unwrap_or("out/synth3d"));
    std::fs::create_dir_all(&out)?;

    let start = Instant::now();
    let data = Synth3d::generate(&cfg)?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "generated {} images ({}x{}) in {secs:.2} s on {} threads",
        cfg.total_images(),
        cfg.size,
        cfg.size,
        rayon::current_num_threads()
    );
    let visible: usize = data
        .train
        .iter()
        .map(|s| s.landmark_visible.iter().filter(|&&v| v).count())
        .sum();
    println!(
        "visible landmarks: {:.1}%",
        100.0 * visible as f64 / (8 * data.train.len().max(1)) as f64
    );
    println!(
        "{} viewpoint groups, classes: {}",
        data.groups(GroupKind::Viewpoint).len(),
        CLASS_NAMES.join(", ")
    );

    if let Some(dir) = args.get(2) {
        let dir = PathBuf::from(dir);
        let start = Instant::now();
        let path = data.save(&dir)?;
        let written = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let loaded = Synth3d::load_or_generate(&cfg, &dir)?;
        let read = start.elapsed().as_secs_f64();
        assert!(loaded == data, "the cache does not round-trip");
        let mb = std::fs::metadata(&path)?.len() as f64 / 1e6;
        println!(
            "cache {} ({mb:.0} MB): written in {written:.2} s, read in {read:.2} s",
            path.display()
        );
    }

    sample_grid(cfg.seed, cfg.size, 10)?.save(out.join("synth3d_grid.png"))?;
    landmark_sheet(cfg.seed, cfg.size, 4)?.save(out.join("synth3d_landmarks.png"))?;
    println!("wrote {}", out.join("synth3d_grid.png").display());
    Ok(())
}
