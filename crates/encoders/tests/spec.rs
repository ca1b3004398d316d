//! Model spec parsing.

use sslinv_encoders::{Arch, Encoder, ModelSpec, ResNetConfig, Stem};
use std::path::PathBuf;

#[test]
fn parses_every_form() {
    assert_eq!(
        ModelSpec::parse("resnet50:/w/m.pth.tar").unwrap(),
        ModelSpec::File {
            arch: Some(Arch::ResNet50),
            path: PathBuf::from("/w/m.pth.tar")
        }
    );
    assert_eq!(
        ModelSpec::parse("runs/a.safetensors").unwrap(),
        ModelSpec::File {
            arch: None,
            path: "runs/a.safetensors".into()
        }
    );
    assert_eq!(
        ModelSpec::parse("torchvision/resnet50").unwrap(),
        ModelSpec::Registry("torchvision/resnet50".into())
    );
    assert_eq!(
        ModelSpec::parse("hf:timm/resnet50.tv_in1k:model.safetensors").unwrap(),
        ModelSpec::Hub {
            repo: "timm/resnet50.tv_in1k".into(),
            file: "model.safetensors".into()
        }
    );
    assert_eq!(
        ModelSpec::parse("random:resnet18:seed=7:width=0.25:stem=cifar").unwrap(),
        ModelSpec::Random {
            config: ResNetConfig {
                arch: Arch::ResNet18,
                width_mult: 0.25,
                stem: Stem::Cifar
            },
            seed: 7
        }
    );
    assert_eq!(
        ModelSpec::parse("random:resnet18:seed=0+dino/resnet50").unwrap(),
        ModelSpec::Fused(vec![
            ModelSpec::Random {
                config: ResNetConfig::torchvision(Arch::ResNet18),
                seed: 0
            },
            ModelSpec::Registry("dino/resnet50".into()),
        ])
    );
}

#[test]
fn rejects_bad_specs_with_a_reason() {
    for bad in [
        "",
        "random:resnet19",
        "random:resnet18:seed=x",
        "random:resnet18:width=-1",
        "hf:norepo",
        "a+",
        "nosuchmodel",
    ] {
        let err = ModelSpec::parse(bad)
            .err()
            .unwrap_or_else(|| panic!("`{bad}` parsed"));
        assert!(err.to_string().contains("invalid model spec"), "{err}");
    }
}

#[test]
fn random_specs_are_deterministic() {
    use candle_core::{Device, Tensor};
    let x = Tensor::rand(0f32, 1f32, (1, 3, 32, 32), &Device::Cpu).unwrap();
    let f = |s: &str| {
        sslinv_encoders::load_encoder(s, &Device::Cpu)
            .unwrap()
            .features(&x)
            .unwrap()
            .to_vec2::<f32>()
            .unwrap()
    };
    let spec = "random:resnet18:seed=3:width=0.125:stem=cifar";
    assert_eq!(f(spec), f(spec));
    assert_ne!(f(spec), f("random:resnet18:seed=4:width=0.125:stem=cifar"));
    let fused = f(&format!("{spec}+{spec}"));
    assert_eq!(fused[0].len(), 128);
    assert_eq!(fused[0][..64], fused[0][64..]);
}
