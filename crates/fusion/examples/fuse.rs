//! Fuses two seeded random ResNet-18s three ways and prints the feature shapes and grid shift.
//!
//! `cargo run -p sslinv-fusion --example fuse`

use candle_core::{Device, Tensor};
use sslinv_encoders::{FuseMode, ModelSpec, load_model};
use sslinv_fusion::grid_shift_for;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spec = "random:resnet18:seed=1+random:resnet18:seed=2";
    let x = Tensor::randn(0f32, 1f32, (2, 3, 64, 64), &Device::Cpu)?;
    for mode in FuseMode::ALL {
        let spec = ModelSpec::parse_with(spec, mode)?;
        let model = load_model(&spec, &Device::Cpu)?;
        let f = model.encoder.features(&x)?;
        println!(
            "{spec}: features {:?}, probe grid shift {}",
            f.dims(),
            grid_shift_for(&spec, None)?
        );
    }
    Ok(())
}
