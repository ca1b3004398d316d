//! The runners with a real (seeded, randomly initialised) ResNet through `load_encoder`.

use candle_core::Device;
use image::RgbImage;
use sslinv_augment::{Preprocess, Sweep, Transform};
use sslinv_invariance::synthetic::{self, SyntheticOptions};

fn photo(name: &str) -> RgbImage {
    let path = format!("{}/tests/fixtures/{name}.png", env!("CARGO_MANIFEST_DIR"));
    image::open(path).expect("fixture photo").to_rgb8()
}

fn crops() -> Vec<RgbImage> {
    let photos = [photo("china"), photo("flower")];
    (0..48u32)
        .map(|i| {
            let p = &photos[(i % 2) as usize];
            let (w, h) = (48 + (i * 7) % 40, 48 + (i * 11) % 40);
            let (x, y) = ((i * 13) % (p.width() - w), (i * 5) % (p.height() - h));
            image::imageops::crop_imm(p, x, y, w, h).to_image()
        })
        .collect()
}

#[test]
fn synthetic_and_multiview_with_a_resnet() {
    let dev = Device::Cpu;
    let spec = "random:resnet18:seed=0:width=0.25";
    let encoder = sslinv_encoders::load_encoder(spec, &dev).unwrap();
    let prep = Preprocess::new(Some(40), Some(32));
    let stats = synthetic::stats(encoder.as_ref(), &crops(), &prep, 16, &dev, spec).unwrap();
    assert_eq!((stats.count, stats.dim), (48, 128));
    // 48 rows of 128-d features: shrinkage is recorded instead of failing.
    assert!(stats.shrinkage > 0.0, "{:?}", stats.summary());

    let images = [photo("china"), photo("flower")];
    let sweep = Sweep::paper(Transform::HFlip, None);
    let opts = SyntheticOptions {
        prep: prep.clone(),
        ..SyntheticOptions::default()
    };
    let res = synthetic::run(encoder.as_ref(), &images, &sweep, &stats, &opts, &dev, spec).unwrap();
    assert_eq!((res.n_images, res.similarity.len()), (2, 2));
    assert!(
        (res.similarity[0] - 1.0).abs() < 1e-4,
        "identity setting: {}",
        res.similarity[0]
    );
    assert!(res.similarity[1] < res.similarity[0] && res.distance[1] > 0.0);
    assert_eq!(res.stats.shrinkage, stats.shrinkage);

    let c = crops();
    let groups = vec![c[0..3].to_vec(), c[3..6].to_vec()];
    let mv = sslinv_invariance::multiview::run(
        encoder.as_ref(),
        &groups,
        &stats,
        &prep,
        8,
        &dev,
        "crops",
        spec,
    )
    .unwrap();
    assert_eq!(mv.scores.n_groups, 2);
    assert!(mv.scores.similarity.is_finite() && mv.scores.distance > 0.0);
}
