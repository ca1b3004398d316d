//! The fused encoder against the members it fuses, for every mode.

use candle_core::{DType, Device, Tensor};
use sslinv_encoders::{Encoder, FuseMode, FusedEncoder, ModelSpec, load_encoder, load_model};
use sslinv_testkit::max_abs_diff;

const A: &str = "random:resnet18:seed=1:width=0.125:stem=cifar";
const B: &str = "random:resnet18:seed=2:width=0.125:stem=cifar";

fn batch() -> Tensor {
    Tensor::randn(0f32, 1f32, (2, 3, 16, 16), &Device::Cpu).unwrap()
}

fn fused(mode: FuseMode) -> Box<dyn Encoder> {
    let spec = ModelSpec::parse_with(&format!("{A} + {B}"), mode).unwrap();
    load_model(&spec, &Device::Cpu).unwrap().encoder
}

#[test]
fn every_mode_matches_the_separate_encoders() {
    let x = batch();
    let a = load_encoder(A, &Device::Cpu).unwrap().features(&x).unwrap();
    let b = load_encoder(B, &Device::Cpu).unwrap().features(&x).unwrap();
    // Distinct seeds give distinct features, so the comparisons below are not vacuous.
    assert!(max_abs_diff(&a, &b) > 1e-3);

    let cat = fused(FuseMode::Cat);
    assert_eq!(cat.dim(), 128);
    let want = Tensor::cat(&[&a, &b], 1).unwrap();
    assert!(max_abs_diff(&cat.features(&x).unwrap(), &want) < 1e-6);

    let add = fused(FuseMode::Add);
    assert_eq!(add.dim(), 64);
    let sum = (&a + &b).unwrap();
    assert!(max_abs_diff(&add.features(&x).unwrap(), &sum) < 1e-5);

    let mean = fused(FuseMode::Mean);
    assert_eq!(mean.dim(), 64);
    let avg = (sum / 2.0).unwrap();
    assert!(max_abs_diff(&mean.features(&x).unwrap(), &avg) < 1e-5);

    // A spec-level prefix loads the same as the default it overrides.
    let prefixed = load_encoder(&format!("mean:{A}+{B}"), &Device::Cpu).unwrap();
    assert!(max_abs_diff(&prefixed.features(&x).unwrap(), &avg) < 1e-6);
}

#[test]
fn add_rejects_members_of_unequal_width() {
    let members = vec![
        load_encoder(A, &Device::Cpu).unwrap(),
        load_encoder("random:resnet18:seed=3:width=0.25:stem=cifar", &Device::Cpu).unwrap(),
    ];
    let err = FusedEncoder::new(members, FuseMode::Add)
        .err()
        .expect("unequal dims must be rejected")
        .to_string();
    assert!(err.contains("[64, 128]"), "{err}");
    assert!(FusedEncoder::new(Vec::new(), FuseMode::Cat).is_err());
    let err = load_encoder(
        &format!("add:{A}+random:resnet18:seed=3:width=0.25"),
        &Device::Cpu,
    )
    .err()
    .expect("unequal dims must be rejected")
    .to_string();
    assert!(err.contains("fusion `add`"), "{err}");
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let enc = fused(FuseMode::Cat);
    let wrong = Tensor::zeros((2, 4, 8, 8), DType::F32, &Device::Cpu).unwrap();
    assert!(enc.features(&wrong).is_err());
}
