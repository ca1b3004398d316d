//! Prints a preset's plan without running it:
//! `cargo run --release -p sslinv-study --example plan -- [PRESET] [DATA_ROOT]`.

use sslinv_study::{Preset, Source, prepare};

fn main() -> Result<(), sslinv_study::StudyError> {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "demo-quick".into());
    let preset = Preset::load(&name)?;
    let source = match (preset.synth3d(), std::env::args().nth(2)) {
        (Some(_), _) => Source::Synth3d {
            cache: "data/synth3d".into(),
        },
        (None, root) => Source::Root {
            root: root.unwrap_or_else(|| "data".into()).into(),
            fetch: false,
        },
    };
    let out = std::env::temp_dir().join(format!("sslinv-plan-{name}"));
    let (runner, _) = prepare(&preset, &source, &out, candle_core::Device::Cpu, &[], true)?;
    for s in &runner.plan.steps {
        println!("{:48} {:?} -> {}", s.id, s.kind, s.outputs.len());
    }
    println!("{} steps", runner.plan.steps.len());
    Ok(())
}
