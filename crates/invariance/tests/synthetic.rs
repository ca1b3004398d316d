//! The synthetic runner with a deterministic toy feature function on real photos.

use image::RgbImage;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use sslinv_augment::{Preprocess, Sweep, Transform};
use sslinv_invariance::synthetic::{SyntheticOptions, run_with, stats_with};
use sslinv_invariance::{
    FnFeatures, InvarianceError, Result, ridge_equivariance, score_sweep, sweep_view,
};

fn photo(name: &str) -> RgbImage {
    let path = format!("{}/tests/fixtures/{name}.png", env!("CARGO_MANIFEST_DIR"));
    image::open(path).expect("fixture photo").to_rgb8()
}

/// A fixed random "encoder": 4x4 colour pooling, a Gaussian projection and tanh (24-d).
fn toy(dim: usize) -> impl FnMut(&[RgbImage]) -> Result<Vec<f32>> {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let normal = Normal::new(0.0f32, 1.0).unwrap();
    let w: Vec<f32> = (0..48 * dim)
        .map(|_| normal.sample(&mut rng) / 7.0)
        .collect();
    move |images: &[RgbImage]| {
        let mut out = Vec::new();
        for im in images {
            let (w_, h_) = im.dimensions();
            let mut pooled = [0f32; 48];
            for (x, y, p) in im.enumerate_pixels() {
                let cell = ((y * 4 / h_) * 4 + x * 4 / w_) as usize;
                for c in 0..3 {
                    pooled[cell * 3 + c] += p[c] as f32 / 255.0 / (w_ * h_ / 16) as f32;
                }
            }
            for j in 0..dim {
                let s: f32 = (0..48).map(|i| pooled[i] * w[i * dim + j]).sum();
                out.push((3.0 * s).tanh());
            }
        }
        Ok(out)
    }
}

/// Deterministic crops of the two photos as the statistics set.
fn stats_images() -> Vec<RgbImage> {
    let photos = [photo("china"), photo("flower")];
    let mut out = Vec::new();
    for i in 0..60u32 {
        let p = &photos[(i % 2) as usize];
        let (w, h) = (40 + (i * 7) % 50, 40 + (i * 11) % 40);
        let (x, y) = ((i * 13) % (p.width() - w), (i * 5) % (p.height() - h));
        out.push(image::imageops::crop_imm(p, x, y, w, h).to_image());
    }
    out
}

fn small() -> Preprocess {
    Preprocess::new(Some(73), Some(64))
}

#[test]
fn sweep_view_with_paper_geometry_is_sweep_apply() {
    let img = photo("flower");
    for t in [
        Transform::Rotation,
        Transform::ResizedCrop,
        Transform::HFlip,
        Transform::Brightness,
    ] {
        let sweep = Sweep::paper(t, Some(16));
        for i in [0, sweep.len() - 1] {
            let ours = sweep_view(&sweep, i, &img, &Preprocess::stats256()).unwrap();
            assert_eq!(
                ours,
                sweep.apply(i, &img).unwrap(),
                "{} setting {i}",
                t.name()
            );
        }
    }
    let sweep = Sweep::paper(Transform::ResizedCrop, Some(16));
    assert_eq!(
        sweep_view(&sweep, 3, &img, &small()).unwrap().dimensions(),
        (64, 64)
    );
}

#[test]
fn runner_equals_scoring_the_features_by_hand() {
    let dim = 24;
    let mut f = FnFeatures::new(dim, toy(dim));
    let stats = stats_with(&mut f, &stats_images(), &small(), 16, "toy").unwrap();
    assert_eq!(stats.count, 60);
    let images = [photo("china"), photo("flower")];
    let sweep = Sweep::paper(Transform::Rotation, Some(8));
    let opts = SyntheticOptions {
        prep: small(),
        batch: Some(4),
        equivariance_rows: 0,
        seed: 0,
    };
    let res = run_with(&mut f, &images, &sweep, &stats, &opts, "toy").unwrap();
    assert_eq!(
        (res.transform.as_str(), res.n_images, res.similarity.len()),
        ("rotation", 2, 8)
    );
    assert_eq!(res.params[2], vec![90.0]);
    // The identity setting (angle 0) is the clean view.
    assert!((res.similarity[0] - 1.0).abs() < 1e-5 && res.distance[0].abs() < 1e-3);
    assert!(res.similarity[4] < 0.99 && res.distance[4] > 0.1);

    let mut g = toy(dim);
    let clean: Vec<RgbImage> = images.iter().map(|im| small().image(im)).collect();
    let views: Vec<RgbImage> = images
        .iter()
        .flat_map(|im| (0..8).map(|i| sweep_view(&sweep, i, im, &small()).unwrap()))
        .collect();
    let want = score_sweep(&stats, &g(&clean).unwrap(), &g(&views).unwrap(), 2, 8).unwrap();
    for j in 0..8 {
        assert!((res.similarity[j] - want.similarity[j]).abs() < 1e-6);
        assert!((res.distance[j] - want.distance[j]).abs() < 1e-4 * (1.0 + want.distance[j]));
    }
    assert!((res.mean_similarity - want.mean_similarity).abs() < 1e-6);
    let json = serde_json::to_value(&res).unwrap();
    for key in [
        "transform",
        "params",
        "similarity",
        "distance",
        "mean_similarity",
        "mean_distance",
        "n_images",
        "stats",
        "model",
        "seconds",
    ] {
        assert!(json.get(key).is_some(), "JSON lacks {key}");
    }
}

#[test]
fn nan_features_are_an_error_naming_the_model() {
    let dim = 4;
    let mut f = FnFeatures::new(dim, |ims: &[RgbImage]| Ok(vec![f32::NAN; ims.len() * 4]));
    let err = stats_with(&mut f, &stats_images()[..4], &small(), 4, "random:resnet18").unwrap_err();
    assert!(matches!(err, InvarianceError::NonFinite { .. }));
    assert!(err.to_string().contains("random:resnet18"), "{err}");
}

#[test]
fn equivariance_probe_recovers_a_linear_parameter_and_not_noise() {
    let (n_img, k, dim) = (12, 16, 10);
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let normal = Normal::new(0.0f64, 1.0).unwrap();
    let (mut feats, mut noise, mut targets, mut groups) = (vec![], vec![], vec![], vec![]);
    for g in 0..n_img {
        for i in 0..k {
            let p = i as f64 / k as f64;
            for j in 0..dim {
                let e = normal.sample(&mut rng);
                feats
                    .push((if j == 0 { 2.0 * p } else { 0.0 } + 0.05 * e + g as f64 * 0.01) as f32);
                noise.push(normal.sample(&mut rng) as f32);
            }
            targets.push(vec![p, 1.0]);
            groups.push(g);
        }
    }
    let good = ridge_equivariance(&feats, dim, &targets, &groups, 0)
        .unwrap()
        .unwrap();
    assert_eq!(
        good.param_dims,
        vec![0],
        "the constant parameter is skipped"
    );
    assert!(good.r2 > 0.95, "{}", good.r2);
    let bad = ridge_equivariance(&noise, dim, &targets, &groups, 0)
        .unwrap()
        .unwrap();
    assert!(bad.r2 < 0.3, "{}", bad.r2);
    assert!(
        ridge_equivariance(
            &feats[..3 * k * dim],
            dim,
            &targets[..3 * k],
            &groups[..3 * k],
            0
        )
        .unwrap()
        .is_none()
    );
}

#[test]
fn multiview_runner_scores_groups_of_views() {
    let dim = 24;
    let mut f = FnFeatures::new(dim, toy(dim));
    let crops = stats_images();
    let stats = stats_with(&mut f, &crops, &small(), 16, "toy").unwrap();
    // Group 0: one crop repeated (perfectly invariant); group 1: different crops.
    let groups = [
        vec![crops[0].clone(), crops[0].clone(), crops[0].clone()],
        crops[1..5].to_vec(),
    ];
    let res = sslinv_invariance::multiview::run_with(
        &mut f,
        2,
        |g| Ok(groups[g].clone()),
        &stats,
        &small(),
        8,
        "toy-groups",
        "toy",
    )
    .unwrap();
    assert_eq!(res.scores.n_groups, 2);
    assert_eq!(res.scores.groups[1].n_views, 4);
    assert!((res.scores.groups[0].similarity - 1.0).abs() < 1e-5);
    assert!(res.scores.groups[0].distance < 1e-3);
    assert!(res.scores.groups[1].similarity < 0.99 && res.scores.groups[1].distance > 0.1);
    let mean = (res.scores.groups[0].similarity + res.scores.groups[1].similarity) / 2.0;
    assert!((res.scores.similarity - mean).abs() < 1e-12);
    let json = serde_json::to_value(&res).unwrap();
    assert!(json.get("similarity").is_some() && json.get("groups").is_some());
}
