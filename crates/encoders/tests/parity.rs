//! torchvision parity: ResNet-18/50 with formula weights on real photos, against features
//! computed by torchvision (scripts/reference/encoders.py).

mod common;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use common::{fixture, formula_weights, load_png, rel_l2};
use sslinv_augment::Preprocess;
use sslinv_encoders::{
    Arch, Encoder, ExtractOptions, FoldedResNet, ResNet, ResNetConfig, extract, load_encoder,
};

fn expected(key: &str) -> Tensor {
    let mut all =
        candle_core::safetensors::load(fixture("expected.safetensors"), &Device::Cpu).unwrap();
    all.remove(key).unwrap()
}

fn check(arch: Arch, tag: &str) {
    let config = ResNetConfig::torchvision(arch);
    let weights = formula_weights(&config);
    let net = ResNet::new(
        &config,
        VarBuilder::from_tensors(weights.clone(), DType::F32, &Device::Cpu),
    )
    .unwrap();
    let folded = FoldedResNet::new(&net).unwrap();
    let crops = [load_png("crop_china.png"), load_png("crop_flower.png")];
    let x = Preprocess::new(None, None)
        .to_tensor(&crops, &Device::Cpu)
        .unwrap();
    let want = expected(&format!("{tag}_crop"));
    let plain = net.features(&x).unwrap();
    assert!(
        rel_l2(&plain, &want) <= 1e-4,
        "{tag} crops, unfolded: {}",
        rel_l2(&plain, &want)
    );
    let fast = folded.features(&x).unwrap();
    println!(
        "{tag} crops: relative L2 {:.2e} unfolded, {:.2e} folded",
        rel_l2(&plain, &want),
        rel_l2(&fast, &want)
    );
    assert!(
        rel_l2(&fast, &want) <= 1e-4,
        "{tag} crops, folded: {}",
        rel_l2(&fast, &want)
    );

    // Full-size photos through the eval preprocessing, and through a safetensors checkpoint.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{tag}.safetensors"));
    candle_core::safetensors::save(&weights, &path).unwrap();
    let encoder =
        load_encoder(&format!("{}:{}", arch.name(), path.display()), &Device::Cpu).unwrap();
    assert_eq!(encoder.dim(), config.dim());
    let full = [load_png("full_china.png"), load_png("full_flower.png")];
    let got = extract(
        encoder.as_ref(),
        &full[..],
        &Preprocess::new(Some(256), Some(224)),
        &Device::Cpu,
        &ExtractOptions::new(1),
    )
    .unwrap();
    assert_eq!((got.n, got.dim), (2, config.dim()));
    let got = got.to_tensor(&Device::Cpu).unwrap();
    let want = expected(&format!("{tag}_full"));
    println!("{tag} full photos: relative L2 {:.2e}", rel_l2(&got, &want));
    assert!(
        rel_l2(&got, &want) <= 5e-3,
        "{tag} full photos: {}",
        rel_l2(&got, &want)
    );
}

#[test]
fn resnet18_matches_torchvision() {
    check(Arch::ResNet18, "r18");
}

#[test]
fn resnet50_matches_torchvision() {
    check(Arch::ResNet50, "r50");
}
