//! Eval preprocessing against torchvision Resize + CenterCrop + ToTensor + Normalize on PIL.

mod common;

use candle_core::Device;
use common::{diff, load, manifest, within_tolerance};
use sslinv_augment::Preprocess;

#[test]
fn resize_and_crop_match_torchvision() {
    let m = manifest();
    let mut checked = 0;
    for case in m["cases"].as_array().unwrap() {
        if case["op"] != "preprocess" {
            continue;
        }
        let p: Vec<u32> = serde_json::from_value(case["params"].clone()).unwrap();
        let input = load(case["input"].as_str().unwrap());
        let want = load(case["output"].as_str().unwrap());
        let got = Preprocess::new(Some(p[0]), Some(p[1])).image(&input);
        let d = diff(&got, &want);
        assert!(within_tolerance("color", &d), "{}: {d:?}", case["output"]);
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} preprocess cases");
}

#[test]
fn tensor_matches_torchvision_normalize() {
    let m = manifest();
    let stats = &m["tensor_flower_80_64"];
    let img = load("flower.png");
    let t = Preprocess::new(Some(80), Some(64))
        .to_tensor(&[img.clone(), img], &Device::Cpu)
        .unwrap();
    assert_eq!(t.dims(), &[2, 3, 64, 64]);
    let v: Vec<f32> = t.flatten_all().unwrap().to_vec1().unwrap();
    let half = &v[..v.len() / 2];
    let sum: f64 = half.iter().map(|&x| x as f64).sum();
    let abs_sum: f64 = half.iter().map(|&x| x.abs() as f64).sum();
    // One value off by one grey level moves the sum by about 1/255/0.224 = 0.018.
    let tol = 0.02 * 40.0;
    assert!(
        (sum - stats["sum"].as_f64().unwrap()).abs() < tol,
        "sum {sum} vs {}",
        stats["sum"]
    );
    assert!((abs_sum - stats["abs_sum"].as_f64().unwrap()).abs() < tol);
    for (i, want) in stats["first"].as_array().unwrap().iter().enumerate() {
        assert!(
            (half[i] as f64 - want.as_f64().unwrap()).abs() < 0.02,
            "value {i}"
        );
    }
    assert_eq!(
        &v[..v.len() / 2],
        &v[v.len() / 2..],
        "batch items are independent"
    );
}

#[test]
fn mismatched_sizes_without_crop_is_an_error() {
    let a = image::RgbImage::new(10, 8);
    let b = image::RgbImage::new(12, 8);
    let err = Preprocess::new(None, None).to_tensor(&[a, b], &Device::Cpu);
    assert!(err.is_err());
    assert!(
        Preprocess::new(None, None)
            .to_tensor(&[], &Device::Cpu)
            .is_err()
    );
}
