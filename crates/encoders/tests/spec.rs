//! Model spec parsing.

use sslinv_encoders::{Arch, Encoder, FuseMode, ModelSpec, ResNetConfig, Stem, split_fused};
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
        ModelSpec::Registry {
            name: "torchvision/resnet50".into(),
            readout: Default::default()
        }
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
        ModelSpec::Fused {
            members: vec![
                ModelSpec::Random {
                    config: ResNetConfig::torchvision(Arch::ResNet18),
                    seed: 0
                },
                ModelSpec::Registry {
                    name: "dino/resnet50".into(),
                    readout: Default::default()
                },
            ],
            mode: FuseMode::Cat
        }
    );
}

#[test]
fn fusion_mode_comes_from_the_prefix_or_the_default() {
    let two = "random:resnet18:seed=1 + random:resnet18:seed=2";
    let mode = |s: &str, d: FuseMode| ModelSpec::parse_with(s, d).unwrap().fuse_mode();
    assert_eq!(mode(two, FuseMode::Cat), FuseMode::Cat);
    assert_eq!(mode(two, FuseMode::Mean), FuseMode::Mean);
    for m in FuseMode::ALL {
        // A prefix beats the caller's default.
        assert_eq!(mode(&format!("{m}:{two}"), FuseMode::Add), m);
    }
    let spec = ModelSpec::parse(&format!("mean:{two}")).unwrap();
    assert_eq!(spec.members().len(), 2);
    assert!(spec.is_fused());
    assert_eq!(
        spec.clone().with_fuse_mode(FuseMode::Add).fuse_mode(),
        FuseMode::Add
    );
    // One member is not a fusion, whatever the prefix.
    let single = ModelSpec::parse("mean:random:resnet18:seed=1").unwrap();
    assert!(!single.is_fused());
    assert_eq!(single.members(), std::slice::from_ref(&single));
    assert_eq!(
        split_fused("add:a+ b").unwrap(),
        (Some(FuseMode::Add), vec!["a", "b"])
    );
    assert_eq!(split_fused("ventral").unwrap(), (None, vec!["ventral"]));
}

#[test]
fn canonical_text_parses_back_to_the_same_spec() {
    for text in [
        "resnet50:/w/m.pth.tar",
        "runs/a.safetensors",
        "torchvision/resnet50",
        "hf:timm/resnet50.tv_in1k:model.safetensors",
        "random:resnet18:seed=7:width=0.25:stem=cifar",
        "random:resnet50:seed=0",
        "random:resnet18:seed=0+dino/resnet50",
        "mean:random:resnet18:seed=0+random:resnet18:seed=1+torchvision/resnet18",
    ] {
        let spec = ModelSpec::parse(text).unwrap();
        assert_eq!(spec.to_string(), text);
        assert_eq!(ModelSpec::parse(&spec.to_string()).unwrap(), spec);
        let json = serde_json::to_string(&spec).unwrap();
        assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), spec);
    }
    // Defaults are dropped and whitespace trimmed.
    assert_eq!(
        ModelSpec::parse(" random:resnet18:width=1 ")
            .unwrap()
            .to_string(),
        "random:resnet18:seed=0"
    );
}

#[test]
fn width_comes_from_the_spec_the_registry_or_the_card() {
    let w = |s: &str| ModelSpec::parse(s).unwrap().width_mult().unwrap();
    assert_eq!(w("random:resnet50:width=3"), 3.0);
    assert_eq!(w("torchvision/resnet50"), 1.0);
    assert_eq!(w("random:resnet18:seed=0+random:resnet18:width=2"), 2.0);
    assert_eq!(w("resnet50:no/such/file.safetensors"), 1.0);
    let dir = tempfile::tempdir().unwrap();
    let weights = dir.path().join("wide.safetensors");
    let card = serde_json::json!({
        "arch": "resnet50", "width_mult": 3.0, "stem": "imagenet", "policy": "default",
        "objective": "moco-v2", "epoch": 1.0, "step": 10, "seed": 0,
        "config": {"image_size": 224}
    });
    std::fs::write(dir.path().join("wide.json"), card.to_string()).unwrap();
    assert_eq!(w(&weights.display().to_string()), 3.0);
    std::fs::write(dir.path().join("wide.json"), "{").unwrap();
    let err = ModelSpec::parse(&weights.display().to_string())
        .unwrap()
        .width_mult()
        .unwrap_err()
        .to_string();
    assert!(err.contains("wide.json"), "{err}");
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
        "+random:resnet18",
        "random:resnet18++random:resnet18",
        "nosuchmodel",
        "mean:",
        "random:resnet18:seed=0+nosuchmodel",
        "max:random:resnet18+random:resnet18",
    ] {
        let err = ModelSpec::parse(bad)
            .err()
            .unwrap_or_else(|| panic!("`{bad}` parsed"))
            .to_string();
        assert!(err.contains("invalid model spec"), "{err}");
        assert!(
            err.contains(&format!("`{bad}`")),
            "the error names the spec: {err}"
        );
    }
    let err = ModelSpec::parse("random:resnet18:seed=0+random:resnet19")
        .unwrap_err()
        .to_string();
    assert!(err.contains("member `random:resnet19`"), "{err}");
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

#[test]
fn random_vit_specs_load_seeded_timm_inits_with_timms_preprocessing() {
    let spec = ModelSpec::parse("random:vit_tiny_patch16_224@mean:seed=3").unwrap();
    let ModelSpec::RandomVit {
        arch,
        seed,
        readout,
    } = &spec
    else {
        panic!("{spec:?}");
    };
    assert_eq!((arch.as_str(), *seed), ("vit_tiny_patch16_224", 3));
    assert_eq!(readout.pool, sslinv_encoders::vit::Pool::Mean);
    assert_eq!(ModelSpec::parse(&spec.to_string()).unwrap(), spec);
    assert!(spec.has_vit());
    for bad in [
        "random:vit_tiny_patch16_224:width=2",
        "random:vit_tiny_patch16_224:seed=x",
        "random:vit_nonexistent_patch16_224",
    ] {
        assert!(ModelSpec::parse(bad).is_err(), "{bad}");
    }
    let device = candle_core::Device::Cpu;
    let model = sslinv_encoders::load_model(&spec, &device).unwrap();
    assert_eq!(model.encoder.dim(), 192);
    assert_eq!(model.preprocess.crop, Some(224));
    let x = candle_core::Tensor::randn(0f32, 1.0, (1, 3, 224, 224), &device).unwrap();
    let features = |s: &str| {
        let m = sslinv_encoders::load_model(&ModelSpec::parse(s).unwrap(), &device).unwrap();
        m.encoder
            .features(&x)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap()
    };
    let a = features("random:vit_tiny_patch16_224@mean:seed=3");
    assert_eq!(a, features("random:vit_tiny_patch16_224@mean:seed=3"));
    assert_ne!(a, features("random:vit_tiny_patch16_224@mean:seed=4"));
}
