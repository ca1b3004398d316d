//! `Op::parse` rejects bad input with errors that name the problem.

use sslinv_augment::{AugmentError, OP_NAMES, Op};

#[test]
fn unknown_op_and_wrong_counts_are_errors() {
    let e = Op::parse("warp", &[]).unwrap_err();
    assert!(matches!(e, AugmentError::UnknownOp(_)));
    assert!(e.to_string().contains("warp") && e.to_string().contains("rotate"));
    let e = Op::parse("rotate", &[]).unwrap_err();
    assert!(matches!(e, AugmentError::ParamCount { got: 0, .. }), "{e}");
    assert!(Op::parse("hflip", &[1.0]).is_err());
    assert!(Op::parse("affine", &[1.0, 2.0]).is_err());
}

#[test]
fn out_of_range_values_are_errors() {
    for (op, p) in [
        ("hue", vec![0.7]),
        ("brightness", vec![-1.0]),
        ("blur", vec![4.0, 1.0]),
        ("blur", vec![5.0, 0.0]),
        ("posterize", vec![9.0]),
        ("posterize", vec![2.5]),
        ("resize", vec![0.0]),
        ("affine", vec![0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        ("affine", vec![0.0, 0.0, 0.0, 1.0, 90.0, 0.0]),
        ("rotate", vec![f64::NAN]),
        ("elastic", vec![10.0, 0.0, 1.0]),
    ] {
        let e = Op::parse(op, &p);
        assert!(
            matches!(e, Err(AugmentError::InvalidParam { .. })),
            "{op} {p:?}: {e:?}"
        );
    }
}

#[test]
fn every_listed_op_parses_with_typical_parameters() {
    let img = image::RgbImage::from_fn(20, 14, |x, y| {
        image::Rgb([(x * 12) as u8, (y * 18) as u8, 90])
    });
    for &name in OP_NAMES {
        let p: Vec<f64> = match name {
            "rotate" => vec![15.0],
            "affine" => vec![5.0, 1.0, -1.0, 1.1, 3.0, 0.0],
            "resized_crop" => vec![2.0, 3.0, 8.0, 9.0, 12.0],
            "resize" | "center_crop" => vec![10.0],
            "brightness" | "contrast" | "saturation" | "sharpness" => vec![1.5],
            "hue" => vec![0.2],
            "blur" => vec![5.0, 1.0],
            "posterize" => vec![4.0],
            "elastic" => vec![30.0, 4.0, 1.0],
            "albumentations_elastic" => vec![1.0, 10.0, 3.0, 50.0],
            _ => vec![],
        };
        let out = Op::parse(name, &p).unwrap().apply(&img).unwrap();
        assert!(out.width() > 0, "{name}");
    }
    let empty = image::RgbImage::new(0, 0);
    assert!(Op::parse("invert", &[]).unwrap().apply(&empty).is_err());
}
