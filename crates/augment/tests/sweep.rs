//! The paper's sweeps: sizes, settings, identities, and the 224 output.

mod common;

use common::load;
use sslinv_augment::{Op, Preprocess, Sweep, Transform};

#[test]
fn every_transform_has_the_papers_settings() {
    assert_eq!(Transform::all().len(), 18);
    for &t in Transform::all() {
        let s = Sweep::paper(t, None);
        let want = match t {
            Transform::Posterize => 7,
            Transform::HFlip
            | Transform::VFlip
            | Transform::Grayscale
            | Transform::Invert
            | Transform::Equalize => 2,
            _ => 256,
        };
        assert_eq!(s.len(), want, "{t}");
        assert!(s.identity() < s.len(), "{t}");
        assert_eq!(t.name().parse::<Transform>().unwrap(), t);
    }
    assert!("warp".parse::<Transform>().is_err());
}

#[test]
fn settings_follow_design_md() {
    let rot = Sweep::paper(Transform::Rotation, None);
    assert_eq!(rot.params(0), &[0.0]);
    assert!((rot.params(1)[0] - 360.0 / 256.0).abs() < 1e-12);
    assert!((rot.params(255)[0] - 360.0 * 255.0 / 256.0).abs() < 1e-9);
    let tr = Sweep::paper(Transform::Translation, None);
    assert_eq!(tr.params(0), &[-16.0, -16.0]);
    assert_eq!(tr.params(tr.identity()), &[0.0, 0.0]);
    assert_eq!(tr.params(255), &[14.0, 14.0]);
    let sh = Sweep::paper(Transform::Shear, None);
    assert_eq!(sh.params(0), &[-160.0, -160.0]);
    assert_eq!(sh.params(sh.identity()), &[0.0, 0.0]);
    let sc = Sweep::paper(Transform::Scale, None);
    assert_eq!((sc.params(0)[0], sc.params(255)[0]), (0.25, 2.0));
    assert!((sc.params(sc.identity())[0] - 1.0).abs() < 0.004);
    let rc = Sweep::paper(Transform::ResizedCrop, None);
    assert_eq!(rc.params(0), &[0.0, 0.0, 192.0, 192.0]);
    assert_eq!(rc.params(255), &[64.0, 64.0, 64.0, 64.0]);
    let de = Sweep::paper(Transform::Deform, None);
    assert_eq!(de.params(0)[1], 10.0);
    assert_eq!(de.params(255)[1], 50.0);
    assert_eq!(de.params(33)[2], 1.0);
    let hue = Sweep::paper(Transform::Hue, None);
    assert_eq!((hue.params(0)[0], hue.params(255)[0]), (-0.5, 0.5));
    let blur = Sweep::paper(Transform::Blur, None);
    assert_eq!(blur.identity(), 0);
    assert_eq!(blur.params(255)[0], 20.0);
    let post = Sweep::paper(Transform::Posterize, None);
    assert_eq!(post.params(0), &[1.0]);
    assert_eq!(post.params(post.identity()), &[7.0]);
    let br = Sweep::paper(Transform::Brightness, None);
    assert!((br.params(br.identity())[0] - 1.0).abs() < 0.01);
    assert_eq!(Sweep::paper(Transform::Sharpness, None).identity(), 0);
}

#[test]
fn k_overrides_the_count() {
    assert_eq!(Sweep::paper(Transform::Rotation, Some(8)).len(), 8);
    assert_eq!(
        Sweep::paper(Transform::Rotation, Some(8)).params(2),
        &[90.0]
    );
    assert_eq!(Sweep::paper(Transform::Brightness, Some(5)).len(), 5);
    assert_eq!(Sweep::paper(Transform::Translation, Some(16)).len(), 16);
    assert_eq!(Sweep::paper(Transform::ResizedCrop, Some(16)).len(), 16);
    assert_eq!(Sweep::paper(Transform::Deform, Some(16)).len(), 16);
    assert_eq!(Sweep::paper(Transform::HFlip, Some(16)).len(), 2);
    let t = Sweep::paper(Transform::Translation, Some(4));
    assert_eq!(t.params(t.identity()), &[0.0, 0.0]);
}

#[test]
fn apply_gives_224_and_identity_is_the_plain_preprocessing() {
    let img = load("china.png");
    let plain = Preprocess::stats256().image(&img);
    for &t in Transform::all() {
        let s = Sweep::paper(t, Some(4));
        for i in [0, s.len() - 1] {
            let out = s.apply(i, &img).unwrap();
            assert_eq!(out.dimensions(), (224, 224), "{t} {i}");
        }
    }
    for t in [
        Transform::Rotation,
        Transform::HFlip,
        Transform::Translation,
        Transform::Shear,
        Transform::Blur,
    ] {
        let s = Sweep::paper(t, None);
        let id = s.apply(s.identity(), &img).unwrap();
        assert!(id == plain, "{t}: identity setting changed the image");
    }
    let h = Sweep::paper(Transform::HFlip, None);
    assert!(h.apply(1, &img).unwrap() != plain);
}

#[test]
fn sweep_chain_matches_torchvision_fixtures() {
    let img = load("china.png");
    let rot = Sweep::paper(Transform::Rotation, None);
    // Index 32 is 45 degrees.
    assert_eq!(rot.params(32), &[45.0]);
    let d = common::diff(
        &rot.apply(32, &img).unwrap(),
        &load("china_sweep_rotation_45.png"),
    );
    assert!(d.exact >= 0.99, "{d:?}");
    let rc = Sweep::paper(Transform::ResizedCrop, None);
    // top 64, left 21.33, height and width 106.67 at 256 scale.
    let i = (3 * 4 + 1) * 16 + 2 * 4 + 2;
    assert_eq!(rc.params(i)[0], 64.0);
    let d = common::diff(
        &rc.apply(i, &img).unwrap(),
        &load("china_sweep_resized_crop.png"),
    );
    assert!(common::within_tolerance("color", &d), "{d:?}");
}

#[test]
fn deform_is_seeded_and_alpha_zero_is_identity() {
    let img = load("flower.png");
    let a = Op::parse("elastic", &[1000.0, 10.0, 3.0])
        .unwrap()
        .apply(&img)
        .unwrap();
    let b = Op::parse("elastic", &[1000.0, 10.0, 3.0])
        .unwrap()
        .apply(&img)
        .unwrap();
    let c = Op::parse("elastic", &[1000.0, 10.0, 4.0])
        .unwrap()
        .apply(&img)
        .unwrap();
    assert!(a == b, "same seed, same field");
    assert!(a != c, "another seed, another field");
    let id = Op::parse("elastic", &[0.0, 10.0, 3.0])
        .unwrap()
        .apply(&img)
        .unwrap();
    assert!(id == img, "alpha 0 moves nothing");
    // The distortion grows with alpha and shrinks with sigma (a smoother, weaker field).
    let mad = |alpha: f64, sigma: f64| {
        let out = Op::parse("elastic", &[alpha, sigma, 3.0])
            .unwrap()
            .apply(&img)
            .unwrap();
        common::diff(&out, &img).mad
    };
    assert!(mad(50.0, 10.0) < mad(1000.0, 10.0));
    assert!(mad(1000.0, 50.0) < mad(1000.0, 10.0));
    assert!(mad(50.0, 10.0) > 0.0);
}
