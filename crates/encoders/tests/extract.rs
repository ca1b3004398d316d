//! Feature extraction over image sources, the feature cache and the cached extractor.

use candle_core::Device;
use image::RgbImage;
use sslinv_augment::Preprocess;
use sslinv_encoders::{
    CacheKey, Encoder, EncoderError, ExtractOptions, FeatureCache, FeatureExtractor, Features,
    FnSource, FuseMode, ModelSpec, extract, load_encoder,
};
use std::path::PathBuf;

const A: &str = "random:resnet18:seed=1:width=0.125:stem=cifar";
const B: &str = "random:resnet18:seed=2:width=0.125:stem=cifar";

fn images(n: usize) -> Vec<RgbImage> {
    (0..n)
        .map(|k| {
            RgbImage::from_fn(20, 18, |x, y| {
                let v = (x * 13 + y * 7 + k as u32 * 31) as u8;
                image::Rgb([v, v.wrapping_mul(3), 255 - v])
            })
        })
        .collect()
}

fn prep() -> Preprocess {
    Preprocess::new(Some(16), Some(16))
}

/// The loop every caller used to write by hand: one forward pass per image.
fn manual(encoder: &dyn Encoder, images: &[RgbImage]) -> Vec<f32> {
    let mut out = Vec::new();
    for im in images {
        let x = prep()
            .to_tensor(std::slice::from_ref(im), &Device::Cpu)
            .unwrap();
        out.extend(
            encoder
                .features(&x)
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap(),
        );
    }
    out
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn every_source_gives_the_manual_loop_features() {
    let enc = load_encoder(A, &Device::Cpu).unwrap();
    let ims = images(5);
    let want = manual(enc.as_ref(), &ims);
    let opts = ExtractOptions::new(2);

    let got = extract(enc.as_ref(), &ims[..], &prep(), &Device::Cpu, &opts).unwrap();
    assert_eq!((got.n, got.dim), (5, 64));
    assert!(max_abs_diff(&got.data, &want) < 1e-5);

    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = ims
        .iter()
        .enumerate()
        .map(|(i, im)| {
            let p = dir.path().join(format!("{i}.png"));
            im.save(&p).unwrap();
            p
        })
        .collect();
    let from_files = extract(enc.as_ref(), &paths, &prep(), &Device::Cpu, &opts).unwrap();
    assert!(max_abs_diff(&from_files.data, &want) < 1e-5);

    let asked = std::cell::RefCell::new(Vec::new());
    let source = FnSource::new(5, |r: std::ops::Range<usize>| {
        asked.borrow_mut().push(r.clone());
        Ok::<_, std::io::Error>(ims[r].to_vec())
    });
    let from_fn = extract(enc.as_ref(), &source, &prep(), &Device::Cpu, &opts).unwrap();
    assert!(max_abs_diff(&from_fn.data, &want) < 1e-5);
    assert_eq!(
        *asked.borrow(),
        vec![0..2, 2..4, 4..5],
        "one batch at a time"
    );

    let none = extract(enc.as_ref(), &ims[..0], &prep(), &Device::Cpu, &opts).unwrap();
    assert_eq!((none.n, none.dim, none.data.len()), (0, 64, 0));
}

#[test]
fn source_errors_keep_their_cause_and_name_the_file() {
    let enc = load_encoder(A, &Device::Cpu).unwrap();
    let failing = FnSource::new(3, |_r: std::ops::Range<usize>| {
        Err::<Vec<RgbImage>, _>(std::io::Error::other("disk on fire"))
    });
    let err = extract(
        enc.as_ref(),
        &failing,
        &prep(),
        &Device::Cpu,
        &ExtractOptions::new(2),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            EncoderError::Images {
                start: 0,
                end: 2,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        std::error::Error::source(&err)
            .unwrap()
            .to_string()
            .contains("disk on fire")
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.png");
    std::fs::write(&bad, b"not a png").unwrap();
    let err = extract(
        enc.as_ref(),
        &vec![bad],
        &prep(),
        &Device::Cpu,
        &ExtractOptions::new(2),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("broken.png"), "{err}");
}

fn key(split: &str) -> CacheKey {
    CacheKey::new(&ModelSpec::parse(A).unwrap(), "toy", split, &prep())
}

#[test]
fn cache_misses_then_hits_and_keys_on_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let cache = FeatureCache::under(dir.path());
    let f = Features::new(vec![1.0, -2.5, 3.0, 4.0, 5.0, 6.0], 2, 3).unwrap();
    assert_eq!(cache.load(&key("train")).unwrap(), None);
    let path = cache.store(&key("train"), &f).unwrap();
    assert!(path.starts_with(dir.path().join(".sslinv-features")));
    assert_eq!(cache.load(&key("train")).unwrap(), Some(f));
    assert_eq!(cache.load(&key("test")).unwrap(), None);
    let other_prep = CacheKey::new(
        &ModelSpec::parse(A).unwrap(),
        "toy",
        "train",
        &Preprocess::eval224(),
    );
    assert_ne!(other_prep.hash(), key("train").hash());
    let other_model = CacheKey::new(&ModelSpec::parse(B).unwrap(), "toy", "train", &prep());
    assert_ne!(other_model.hash(), key("train").hash());

    // A retrained checkpoint (same path, new contents) misses.
    let ckpt = dir.path().join("m.safetensors");
    std::fs::write(&ckpt, b"one").unwrap();
    let k = CacheKey::new(
        &ModelSpec::parse(&format!("resnet18:{}", ckpt.display())).unwrap(),
        "toy",
        "train",
        &prep(),
    );
    let before = k.hash();
    std::fs::write(&ckpt, b"longer").unwrap();
    assert_ne!(before, k.hash());

    std::fs::write(cache.path(&key("bad")), b"garbage").unwrap();
    let err = cache.load(&key("bad")).unwrap_err().to_string();
    assert!(err.contains(".sslinv-features"), "{err}");
}

#[test]
fn racing_writers_leave_one_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let cache = FeatureCache::at(dir.path().join("cache"));
    let k = key("train");
    let n = 64;
    let dim = 512;
    let a = Features::new(vec![1.0; n * dim], n, dim).unwrap();
    let b = Features::new(vec![2.0; n * dim], n, dim).unwrap();
    std::thread::scope(|s| {
        for f in [&a, &b] {
            let (cache, k) = (&cache, &k);
            s.spawn(move || {
                for _ in 0..20 {
                    cache.store(k, f).unwrap();
                }
            });
        }
        let (cache, k, a, b) = (&cache, &k, &a, &b);
        s.spawn(move || {
            for _ in 0..200 {
                if let Some(got) = cache.load(k).unwrap() {
                    assert!(&got == a || &got == b, "a torn read");
                }
            }
        });
    });
    let got = cache.load(&k).unwrap().unwrap();
    assert!(got == a || got == b);
    let files: Vec<_> = std::fs::read_dir(cache.dir()).unwrap().collect();
    assert_eq!(files.len(), 1, "no temp file left behind");
}

#[test]
fn cached_extractor_fuses_members_and_reuses_their_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = FeatureCache::under(dir.path());
    let ims = images(3);
    let spec = ModelSpec::parse_with(&format!("{A}+{B}"), FuseMode::Mean).unwrap();
    let mut ex = FeatureExtractor::new(spec.clone(), Device::Cpu)
        .with_cache(cache.clone())
        .with_batch_size(2);
    let fused = ex.features(&ims, "toy", "train", &prep()).unwrap();
    assert_eq!((fused.n, fused.dim), (3, 64));
    let a = manual(load_encoder(A, &Device::Cpu).unwrap().as_ref(), &ims);
    let b = manual(load_encoder(B, &Device::Cpu).unwrap().as_ref(), &ims);
    let mean: Vec<f32> = a.iter().zip(&b).map(|(x, y)| (x + y) / 2.0).collect();
    assert!(max_abs_diff(&fused.data, &mean) < 1e-5);
    assert_eq!(
        std::fs::read_dir(cache.dir()).unwrap().count(),
        2,
        "one file per member"
    );

    // A hit: overwrite member A's cached features with a marker and read them back.
    let marker = Features::new(vec![7.0; 3 * 64], 3, 64).unwrap();
    cache.store(&key("train"), &marker).unwrap();
    let mut ex = FeatureExtractor::new(spec.with_fuse_mode(FuseMode::Cat), Device::Cpu)
        .with_cache(cache.clone());
    let cat = ex.features(&ims, "toy", "train", &prep()).unwrap();
    assert_eq!(cat.dim, 128);
    assert_eq!(cat.row(1)[..64], marker.row(1)[..]);
    assert!(max_abs_diff(&cat.row(2)[64..], &b[2 * 64..]) < 1e-5);
    // A cached file for another number of images is stale: recomputed.
    let fewer = ex.features(&ims[..2], "toy", "train", &prep()).unwrap();
    assert!(max_abs_diff(&fewer.data[..64], &a[..64]) < 1e-5);
    assert_eq!(fused.to_tensor(&Device::Cpu).unwrap().dims(), &[3, 64]);
}
