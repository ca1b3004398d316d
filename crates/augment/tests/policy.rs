//! Random SSL policies: parsing, determinism, sizes and step probabilities.

mod common;

use common::load;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sslinv_augment::{Policy, Step, resize_exact};

fn is_gray(img: &image::RgbImage) -> bool {
    img.as_raw()
        .chunks_exact(3)
        .all(|p| p[0] == p[1] && p[1] == p[2])
}

#[test]
fn parses_named_and_custom_policies() {
    assert_eq!(Policy::parse("default").unwrap().steps().len(), 5);
    assert_eq!(Policy::parse("Ventral").unwrap().steps().len(), 2);
    let dorsal = Policy::parse("dorsal").unwrap();
    assert!(
        !dorsal
            .steps()
            .iter()
            .any(|s| matches!(s, Step::ResizedCrop { .. }))
    );
    let custom = Policy::parse("resized_crop, h_flip,color_jitter").unwrap();
    assert_eq!(custom.steps().len(), 3);
    let err = Policy::parse("resized_crop,warp").unwrap_err().to_string();
    assert!(err.contains("warp"), "{err}");
}

#[test]
fn sampling_is_seeded_and_sized() {
    let img = load("china.png");
    for name in ["default", "ventral", "dorsal", "rotation,v_flip,blur"] {
        let p = Policy::parse(name).unwrap();
        let a = p.views(&img, 64, &mut ChaCha8Rng::seed_from_u64(7));
        let b = p.views(&img, 64, &mut ChaCha8Rng::seed_from_u64(7));
        assert!(a == b, "{name}: same seed, same views");
        assert_eq!(a.0.dimensions(), (64, 64));
        assert!(a.0 != a.1, "{name}: the two views differ");
    }
}

#[test]
fn flip_only_policy_gives_the_image_or_its_mirror() {
    let img = load("flower.png");
    let p = Policy::parse("h_flip").unwrap();
    let base = resize_exact(&img, 32, 32);
    let mirrored = sslinv_augment::geometry::hflip(&base);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut flips = 0;
    for _ in 0..200 {
        let v = p.sample(&img, 32, &mut rng);
        assert!(v == base || v == mirrored);
        flips += (v == mirrored) as usize;
    }
    assert!((70..=130).contains(&flips), "{flips} flips in 200");
}

#[test]
fn default_policy_grayscale_rate_is_one_in_five() {
    let img = load("china.png");
    let p = Policy::parse("default").unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let n = 300;
    let gray = (0..n)
        .filter(|_| is_gray(&p.sample(&img, 24, &mut rng)))
        .count();
    let rate = gray as f64 / n as f64;
    assert!((0.13..=0.27).contains(&rate), "grayscale rate {rate}");
}

#[test]
fn ventral_keeps_colours_dorsal_keeps_layout() {
    let img = load("china.png");
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    // Dorsal never moves pixels: a left-right asymmetric image stays asymmetric the same way.
    let dorsal = Policy::parse("dorsal").unwrap();
    let ventral = Policy::parse("ventral").unwrap();
    let base = resize_exact(&img, 32, 32);
    let left_minus_right = |im: &image::RgbImage| {
        let mut s = 0i64;
        for y in 0..32 {
            for x in 0..16 {
                let l = im.get_pixel(x, y).0.iter().map(|&v| v as i64).sum::<i64>();
                let r = im
                    .get_pixel(31 - x, y)
                    .0
                    .iter()
                    .map(|&v| v as i64)
                    .sum::<i64>();
                s += l - r;
            }
        }
        s
    };
    let sign = left_minus_right(&base).signum();
    assert_ne!(sign, 0);
    let mut kept = 0;
    for _ in 0..50 {
        kept += (left_minus_right(&dorsal.sample(&img, 32, &mut rng)).signum() == sign) as usize;
    }
    assert!(kept >= 45, "{kept}/50 dorsal views kept the layout");
    // Ventral never turns a colour image grey.
    for _ in 0..50 {
        assert!(!is_gray(&ventral.sample(&img, 32, &mut rng)));
    }
}

#[test]
fn extreme_aspect_ratio_falls_back_to_a_centre_crop() {
    let img = image::RgbImage::from_fn(400, 4, |x, _| image::Rgb([x as u8, 0, 0]));
    let p = Policy::parse("resized_crop").unwrap();
    let v = p.sample(&img, 16, &mut ChaCha8Rng::seed_from_u64(0));
    assert_eq!(v.dimensions(), (16, 16));
    let empty = image::RgbImage::new(0, 0);
    assert_eq!(
        p.sample(&empty, 8, &mut ChaCha8Rng::seed_from_u64(0))
            .dimensions(),
        (8, 8)
    );
}
