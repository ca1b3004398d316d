//! timm parity of the ViTs (scripts/reference/vit.py): position-embedding resampling against
//! PyTorch's F.interpolate, state-dict layouts of every architecture, features of reduced and
//! full-size models with formula weights on real photos, and checkpoints in the original
//! repos' layouts.

mod common;

use candle_core::{Device, Tensor};
use common::vit::{TINY_CASES, formula_vit, tiny_config, vit_weights};
use common::{fixture, load_png, rel_l2};
use sslinv_augment::Preprocess;
use sslinv_encoders::Encoder;
use sslinv_encoders::vit::{
    Pool, Readout, ViTConfig, ViTEncoder, ViTLayout, VisionTransformer, load_vit, resize_bicubic_aa,
};
use std::collections::HashMap;

const TOL: f32 = 1e-4;

fn expected() -> HashMap<String, Tensor> {
    candle_core::safetensors::load(fixture("vit_expected.safetensors"), &Device::Cpu).unwrap()
}

fn photos() -> Tensor {
    let crops = [load_png("crop_china.png"), load_png("crop_flower.png")];
    Preprocess::new(None, None)
        .to_tensor(&crops, &Device::Cpu)
        .unwrap()
}

fn readout(pool: Pool, layers: usize) -> Readout {
    Readout { pool, layers }
}

/// Both backends of `model` against the fixture `key` for input `x`.
fn check(model: VisionTransformer, x: &Tensor, r: Readout, want: &Tensor, key: &str) {
    let fast = ViTEncoder::new(model, r).unwrap();
    let got = fast.features(x).unwrap();
    assert_eq!(got.dims(), want.dims(), "{key}");
    assert_eq!(fast.dim(), want.dim(1).unwrap(), "{key}");
    let e = rel_l2(&got, want);
    assert!(e <= TOL, "{key} (CPU path): relative L2 {e:.2e}");
    println!("{key}: CPU path {e:.2e}");
}

fn check_candle(model: VisionTransformer, x: &Tensor, r: Readout, want: &Tensor, key: &str) {
    let got = ViTEncoder::with_candle_ops(model, r)
        .unwrap()
        .features(x)
        .unwrap();
    let e = rel_l2(&got, want);
    assert!(e <= TOL, "{key} (candle ops): relative L2 {e:.2e}");
    println!("{key}: candle ops {e:.2e}");
}

#[test]
fn pos_embed_resampling_matches_torch_bicubic_antialias() {
    let cases =
        candle_core::safetensors::load(fixture("vit_pos_embed.safetensors"), &Device::Cpu).unwrap();
    for i in 0..5 {
        let input = &cases[&format!("case{i}.in")];
        let want = &cases[&format!("case{i}.out")];
        let (h, w, c) = input.dims3().unwrap();
        let (nh, nw, _) = want.dims3().unwrap();
        let data = input.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let got = resize_bicubic_aa(&data, (h, w, c), (nh, nw));
        let got = Tensor::from_vec(got, (nh, nw, c), &Device::Cpu).unwrap();
        let e = rel_l2(&got, want);
        println!("{h}x{w} -> {nh}x{nw}: relative L2 {e:.2e}");
        assert!(e <= 1e-6, "case {i} {h}x{w} -> {nh}x{nw}: {e:.2e}");
    }
}

#[test]
fn every_architecture_has_timms_state_dict_layout() {
    let text = std::fs::read_to_string(fixture("vit_shapes.json")).unwrap();
    let all: HashMap<String, Vec<(String, Vec<usize>)>> = serde_json::from_str(&text).unwrap();
    assert_eq!(all.len(), TINY_CASES.len() + 11);
    for (name, want) in &all {
        let cfg = if name.starts_with("tiny_") {
            tiny_config(name)
        } else {
            ViTConfig::timm(name).unwrap()
        };
        assert_eq!(&cfg.param_shapes(), want, "{name}");
    }
}

#[test]
fn reduced_models_match_timm_for_every_readout() {
    let want = expected();
    let x = photos();
    let readouts = [
        ("default", readout(Pool::Default, 1)),
        ("mean", readout(Pool::Mean, 1)),
        ("cls_mean", readout(Pool::ClsMean, 1)),
        ("layers2_cls", readout(Pool::Cls, 2)),
        ("layers2_cls_mean", readout(Pool::ClsMean, 2)),
    ];
    for case in TINY_CASES {
        let cfg = tiny_config(case);
        for (suffix, r) in readouts {
            let key = format!("{case}.{suffix}");
            check(formula_vit(&cfg), &x, r, &want[&key], &key);
            check_candle(formula_vit(&cfg), &x, r, &want[&key], &key);
        }
        // A non-square input: the position grid is resampled to a non-square grid.
        let p = cfg.patch_size;
        let rows = (224 / p - 4) * p;
        let key = format!("{case}.nonsquare");
        let top = x.narrow(2, 0, rows).unwrap();
        check(
            formula_vit(&cfg),
            &top,
            Readout::default(),
            &want[&key],
            &key,
        );
        check_candle(
            formula_vit(&cfg),
            &top,
            Readout::default(),
            &want[&key],
            &key,
        );
    }
}

fn full(arch: &str) {
    let want = expected();
    let cfg = ViTConfig::timm(arch).unwrap();
    let key = format!("full.{arch}");
    check(
        formula_vit(&cfg),
        &photos(),
        Readout::default(),
        &want[&key],
        &key,
    );
}

/// One full-size model in the suite: the one with every feature (registers, LayerScale, the
/// 37x37 grid resampled to 16x16). The reduced models cover each family's wiring.
#[test]
fn vit_small_patch14_reg4_dinov2_matches_timm_from_its_518_grid() {
    full("vit_small_patch14_reg4_dinov2");
}

/// The other full-size models (22M-304M parameters) take seconds to a minute each in the test
/// profile; run with `cargo test --release -p sslinv-encoders --test vit -- --ignored`.
#[test]
#[ignore = "large: run with --release -- --ignored"]
fn every_other_full_size_vit_matches_timm() {
    for arch in [
        "vit_small_patch16_224",
        "vit_small_patch14_dinov2",
        "vit_base_patch16_224",
        "vit_base_patch14_dinov2",
        "vit_base_patch14_reg4_dinov2",
        "vit_base_patch16_clip_224",
        "vit_base_patch16_clip_quickgelu_224",
        "vit_large_patch16_224",
        "vit_large_patch14_dinov2",
        "vit_large_patch14_reg4_dinov2",
    ] {
        full(arch);
    }
}

#[test]
fn original_layouts_load_as_timm() {
    let want = expected();
    let x = photos();
    for (file, case, layout) in [
        ("vit_tiny_dinov2_orig.pth", "tiny_dinov2", ViTLayout::DinoV2),
        ("vit_tiny_reg4_orig.pth", "tiny_reg4", ViTLayout::DinoV2),
        (
            "vit_tiny_clip_openai.pth",
            "tiny_clip_quickgelu",
            ViTLayout::OpenAiClip,
        ),
        (
            "vit_tiny_clip_openclip.pt",
            "tiny_clip_quickgelu",
            ViTLayout::OpenAiClip,
        ),
        (
            "vit_tiny_clip_timm.safetensors",
            "tiny_clip",
            ViTLayout::Timm,
        ),
    ] {
        let (model, found) = load_vit(&fixture(file), &tiny_config(case), &Device::Cpu).unwrap();
        assert_eq!(found, layout, "{file}");
        let key = format!("{case}.default");
        check(model, &x, Readout::default(), &want[&key], file);
    }
}

#[test]
fn a_checkpoint_of_another_architecture_is_an_error_naming_the_tensors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.safetensors");
    candle_core::safetensors::save(&vit_weights(&tiny_config("tiny_plain")), &path).unwrap();
    let err = load_vit(&path, &tiny_config("tiny_dinov2"), &Device::Cpu)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("vit_small_patch14_dinov2 was asked"), "{err}");
    assert!(err.contains("missing: blocks.0.ls1.gamma"), "{err}");
    assert!(
        err.contains("patch_embed.proj.weight is [32, 3, 16, 16], expected [32, 3, 14, 14]"),
        "{err}"
    );
    let err = ViTEncoder::new(
        formula_vit(&tiny_config("tiny_plain")),
        readout(Pool::Cls, 3),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("--layers 3"), "{err}");
    let enc = ViTEncoder::new(formula_vit(&tiny_config("tiny_plain")), Readout::default()).unwrap();
    let odd = Tensor::zeros((1, 3, 200, 224), candle_core::DType::F32, &Device::Cpu).unwrap();
    let err = enc.features(&odd).err().unwrap().to_string();
    assert!(err.contains("200x224"), "{err}");
}

/// `ARCH.TAG:PATH` loads through the one spec parser and loader: the same features as the
/// model built directly, timm's preprocessing for the tag, and bad specs named.
#[test]
fn vit_specs_load_with_timms_preprocessing() {
    use sslinv_encoders::{ModelSpec, load_model};
    let arch = "vit_small_patch16_224";
    let cfg = ViTConfig::timm(arch).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dino.safetensors");
    candle_core::safetensors::save(&vit_weights(&cfg), &path).unwrap();

    let spec = ModelSpec::parse(&format!("{arch}.dino:{}", path.display())).unwrap();
    assert_eq!(ModelSpec::parse(&spec.to_string()).unwrap(), spec);
    let loaded = load_model(&spec, &Device::Cpu).unwrap();
    let p = &loaded.preprocess;
    // timm: input 224, crop_pct 0.9 -> resize 248, bicubic, ImageNet mean and std.
    assert_eq!((p.resize, p.crop), (Some(248), Some(224)));
    assert_eq!(p.mean, [0.485, 0.456, 0.406]);
    assert_eq!(p.interpolation, sslinv_augment::Filter::Bicubic);
    let clip = ModelSpec::parse(&format!(
        "vit_base_patch16_clip_224.openai:{}",
        path.display()
    ));
    let clip = sslinv_encoders::member_preprocess(&clip.unwrap()).unwrap();
    assert_eq!(clip.mean[0], 0.481_454_66);

    let x = photos();
    let want = ViTEncoder::new(formula_vit(&cfg), Readout::default())
        .unwrap()
        .features(&x)
        .unwrap();
    let got = loaded.encoder.features(&x).unwrap();
    assert!(rel_l2(&got, &want) < 1e-6);

    // Readouts in the spec: `@clsmean@last2` = DINOv2's linear-eval features of 2 blocks.
    let two = ModelSpec::parse(&format!("{arch}.dino@clsmean@last2:{}", path.display())).unwrap();
    assert_eq!(ModelSpec::parse(&two.to_string()).unwrap(), two);
    let two_model = load_model(&two, &Device::Cpu).unwrap();
    assert_eq!(two_model.encoder.dim(), 2 * 2 * 384);
    let direct = ViTEncoder::new(
        formula_vit(&cfg),
        Readout {
            pool: Pool::ClsMean,
            layers: 2,
        },
    )
    .unwrap()
    .features(&x)
    .unwrap();
    assert!(rel_l2(&two_model.encoder.features(&x).unwrap(), &direct) < 1e-6);
    assert_eq!(
        spec.clone()
            .with_readout(Some(Pool::Mean), Some(3))
            .to_string(),
        format!("{arch}.dino@mean@last3:{}", path.display())
    );
    assert!(ModelSpec::parse(&format!("{arch}@last0:{}", path.display())).is_err());
    let unknown = ModelSpec::parse(&format!("{arch}.nope:{}", path.display())).unwrap_err();
    assert!(unknown.to_string().contains("nope"), "{unknown}");
    // Weights of another architecture are refused, naming the file.
    let wrong = ModelSpec::parse(&format!("vit_base_patch16_224:{}", path.display())).unwrap();
    let err = load_model(&wrong, &Device::Cpu).err().unwrap();
    assert!(err.to_string().contains("dino.safetensors"), "{err}");
}

/// Every tag's preprocessing equals timm's `get_pretrained_cfg` (fixture from
/// `scripts/reference/vit_pretrained_cfg.py`): tag, input side, crop fraction, mean and std.
#[test]
fn pretrained_configs_equal_timms() {
    let text = std::fs::read_to_string(fixture("vit_pretrained_cfg.json")).unwrap();
    let want: HashMap<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert!(want.len() >= 18);
    for (name, w) in &want {
        let got = sslinv_encoders::vit::pretrained_config(name).unwrap();
        assert_eq!(got.tag, w["tag"].as_str().unwrap(), "{name}");
        assert_eq!(
            u64::from(got.input_size),
            w["input_size"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(got.crop_pct, w["crop_pct"].as_f64().unwrap(), "{name}");
        assert_eq!(w["interpolation"], "bicubic", "{name}");
        for c in 0..3 {
            assert!(
                (f64::from(got.mean[c]) - w["mean"][c].as_f64().unwrap()).abs() < 1e-7,
                "{name}"
            );
            assert!(
                (f64::from(got.std[c]) - w["std"][c].as_f64().unwrap()).abs() < 1e-7,
                "{name}"
            );
        }
    }
}
