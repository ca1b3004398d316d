//! Two Default-policy views, one sweep setting and an eval tensor from one image.
//!
//! `cargo run -p sslinv-augment --example views -- [IMAGE] [OUT_DIR]`
//! (defaults: the china fixture crop, a fresh folder under the system temp dir).

use std::path::PathBuf;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sslinv_augment::{Op, Policy, Preprocess, Sweep, Transform};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let input = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/china.png")
    });
    let out = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("sslinv-augment-views"));
    std::fs::create_dir_all(&out)?;
    let img = image::open(&input)
        .map_err(|e| format!("{}: {e}", input.display()))?
        .to_rgb8();

    let policy = Policy::parse("default")?;
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let (a, b) = policy.views(&img, 64, &mut rng);
    a.save(out.join("view_a.png"))?;
    b.save(out.join("view_b.png"))?;

    let sweep = Sweep::paper(Transform::Rotation, None);
    sweep.apply(32, &img)?.save(out.join("rotation_45.png"))?;
    Op::parse("hue", &[0.25])?
        .apply(&img)?
        .save(out.join("hue.png"))?;

    let t = Preprocess::eval224().to_tensor(&[img], &candle_core::Device::Cpu)?;
    println!("tensor {:?}; images written to {}", t.dims(), out.display());
    Ok(())
}
