//! Fuses two seeded random ResNet-18s three ways and prints the feature shapes and grid shift.
//!
//! `cargo run -p sslinv-fusion --example fuse`

use candle_core::{Device, Tensor};
use sslinv_encoders::Encoder;
use sslinv_fusion::{FuseMode, load_fused};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spec = "random:resnet18:seed=1+random:resnet18:seed=2";
    let x = Tensor::randn(0f32, 1f32, (2, 3, 64, 64), &Device::Cpu)?;
    for mode in [FuseMode::Cat, FuseMode::Add, FuseMode::Mean] {
        let fused = load_fused(spec, mode, &Device::Cpu)?;
        let f = fused.features(&x)?;
        println!(
            "{}: features {:?}, probe grid shift {}",
            mode.name(),
            f.dims(),
            fused.grid_shift()
        );
    }
    Ok(())
}
