//! `FusedEncoder` against the members it fuses and against the encoders crate's `Concat`.

use candle_core::{DType, Device, Tensor};
use sslinv_encoders::{Encoder, load_encoder};
use sslinv_fusion::{FuseMode, FusedEncoder, grid_shift_for, load_fused, split_spec};

const A: &str = "random:resnet18:seed=1:width=0.25";
const B: &str = "random:resnet18:seed=2:width=0.25";

fn batch() -> Tensor {
    Tensor::randn(0f32, 1f32, (2, 3, 32, 32), &Device::Cpu).unwrap()
}

fn max_abs_diff(a: &Tensor, b: &Tensor) -> f32 {
    (a - b)
        .unwrap()
        .abs()
        .unwrap()
        .flatten_all()
        .unwrap()
        .max(0)
        .unwrap()
        .to_scalar::<f32>()
        .unwrap()
}

#[test]
fn cat_matches_the_encoders_crate_concat() {
    let x = batch();
    let fused = load_fused(&format!("{A}+{B}"), FuseMode::Cat, &Device::Cpu).unwrap();
    let concat = load_encoder(&format!("{A}+{B}"), &Device::Cpu).unwrap();
    assert_eq!(fused.dim(), concat.dim());
    assert_eq!(fused.dim(), 256);
    let got = fused.features(&x).unwrap();
    assert_eq!(got.dims(), &[2, 256]);
    assert!(max_abs_diff(&got, &concat.features(&x).unwrap()) < 1e-6);
}

#[test]
fn add_and_mean_combine_member_features() {
    let x = batch();
    let a = load_encoder(A, &Device::Cpu).unwrap().features(&x).unwrap();
    let b = load_encoder(B, &Device::Cpu).unwrap().features(&x).unwrap();
    let add = load_fused(&format!("{A} + {B}"), FuseMode::Add, &Device::Cpu).unwrap();
    assert_eq!(add.dim(), 128);
    assert_eq!(add.len(), 2);
    let sum = (&a + &b).unwrap();
    assert!(max_abs_diff(&add.features(&x).unwrap(), &sum) < 1e-5);
    let mean = load_fused(&format!("{A}+{B}"), FuseMode::Mean, &Device::Cpu).unwrap();
    let avg = (sum / 2.0).unwrap();
    assert!(max_abs_diff(&mean.features(&x).unwrap(), &avg) < 1e-5);
    // Distinct seeds give distinct features, so the comparisons above are not vacuous.
    assert!(max_abs_diff(&a, &b) > 1e-3);
}

#[test]
fn add_rejects_members_of_unequal_width() {
    let members = vec![
        load_encoder(A, &Device::Cpu).unwrap(),
        load_encoder("random:resnet18:seed=3:width=0.5", &Device::Cpu).unwrap(),
    ];
    let err = FusedEncoder::new(members, FuseMode::Add)
        .err()
        .expect("unequal dims must be rejected")
        .to_string();
    assert!(err.contains("[128, 256]"), "{err}");
    assert!(FusedEncoder::new(Vec::new(), FuseMode::Cat).is_err());
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    assert!(split_spec("a++b").is_err());
    assert!(
        load_fused(
            "random:resnet18:seed=0+nonsense",
            FuseMode::Cat,
            &Device::Cpu
        )
        .is_err()
    );
    let fused = load_fused(A, FuseMode::Cat, &Device::Cpu).unwrap();
    let wrong = Tensor::zeros((2, 4, 8, 8), DType::F32, &Device::Cpu).unwrap();
    assert!(fused.features(&wrong).is_err());
}

#[test]
fn grid_shift_counts_members_and_width() {
    let specs = |s: &str| split_spec(s).unwrap();
    assert_eq!(grid_shift_for(&specs(A), None), 0.0);
    assert_eq!(grid_shift_for(&specs(&format!("{A}+{B}")), None), 1.0);
    assert_eq!(grid_shift_for(&specs(&format!("{A}+{B}+{A}")), None), 2.0);
    assert_eq!(grid_shift_for(&specs("random:resnet50:width=3"), None), 2.0);
    assert_eq!(grid_shift_for(&specs("resnet50:ckpt.pth"), Some(3.0)), 2.0);
    let fused = load_fused(&format!("{A}+{B}"), FuseMode::Cat, &Device::Cpu).unwrap();
    assert_eq!(fused.grid_shift(), 1.0);
}
