//! The supervised baseline on the quick synth3d set: its checkpoint card says what it is, and
//! its frozen features beat a random network of the same architecture on class accuracy (a guard
//! that labels, loss and probe are wired right).

use candle_core::Device;
use image::RgbImage;
use sslinv_augment::Preprocess;
use sslinv_datasets::synth3d::{Synth3d, Synth3dConfig};
use sslinv_encoders::{Encoder, load_encoder};
use sslinv_heads::{Labels, ProbeConfig, probe};
use sslinv_objectives::{Objective, PretrainConfig, pretrain_supervised, read_meta};

fn features(enc: &dyn Encoder, images: &[RgbImage]) -> Vec<f32> {
    let x = Preprocess::new(Some(32), Some(32))
        .to_tensor(images, &Device::Cpu)
        .unwrap();
    enc.features(&x)
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1()
        .unwrap()
}

fn class_accuracy(enc: &dyn Encoder, data: &Synth3d) -> f64 {
    let split = |s: &[sslinv_datasets::synth3d::Sample]| {
        let images: Vec<RgbImage> = s.iter().map(|s| s.image.clone()).collect();
        let labels = Labels::Classes(s.iter().map(|s| s.class).collect());
        (features(enc, &images), labels)
    };
    let (xtr, ytr) = split(&data.train);
    let (xte, yte) = split(&data.test);
    let cfg = ProbeConfig {
        folds: 3,
        ..ProbeConfig::default()
    };
    let r = probe(&xtr, &ytr, &xte, &yte, enc.dim(), &cfg).unwrap();
    let ci = r.ci95.expect("probe intervals");
    assert!(ci.contains(r.test_score), "{ci:?} {}", r.test_score);
    r.test_score
}

#[test]
fn supervised_baseline_beats_random_on_quick_synth3d() {
    let data = Synth3d::generate(&Synth3dConfig::quick()).unwrap();
    let labels: Vec<i64> = data.pretrain_latents.iter().map(|l| l.class).collect();
    let mut cfg = PretrainConfig::small(Objective::Supervised, "ventral", 8);
    cfg.name = "supervised".into();
    cfg.image_size = 32;
    cfg.hyper.lr = 0.4;
    let dir = tempfile::tempdir().unwrap();
    let run = pretrain_supervised(&cfg, &data.pretrain, &labels, dir.path(), false).unwrap();
    assert_eq!(run.report.history.len(), 8 * 512 / 64);

    let meta = read_meta(&run.paths.json).unwrap();
    assert_eq!(meta.objective, Objective::Supervised);
    assert_eq!(
        (meta.arch.as_str(), meta.stem.as_str(), meta.policy.as_str()),
        ("resnet18", "cifar", "ventral")
    );
    assert_eq!((meta.width_mult, meta.config.image_size), (0.25, 32));
    assert_eq!(meta.projector.dims, vec![128, 12]);
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&run.paths.json).unwrap()).unwrap();
    assert_eq!(card["objective"], "supervised");

    let spec = format!("resnet18:{}", run.paths.weights.display());
    let trained = load_encoder(&spec, &Device::Cpu).unwrap();
    let random =
        load_encoder("random:resnet18:seed=0:width=0.25:stem=cifar", &Device::Cpu).unwrap();
    let (sup, rnd) = (
        class_accuracy(trained.as_ref(), &data),
        class_accuracy(random.as_ref(), &data),
    );
    eprintln!("class accuracy: supervised {sup:.3}, random {rnd:.3}");
    assert!(sup > rnd + 0.05, "supervised {sup} vs random {rnd}");
}

#[test]
fn supervised_refuses_bad_labels_and_resume() {
    let images = vec![RgbImage::new(16, 16); 8];
    let mut cfg = PretrainConfig::small(Objective::Supervised, "ventral", 1);
    cfg.batch_size = 4;
    cfg.image_size = 16;
    let dir = tempfile::tempdir().unwrap();
    let run = |cfg: &PretrainConfig, labels: &[i64]| {
        pretrain_supervised(cfg, &images, labels, dir.path(), false).is_err()
    };
    assert!(run(&cfg, &[0, 1, 0]), "label count");
    assert!(run(&cfg, &[0; 8]), "a single class");
    assert!(run(&cfg, &[0, 1, 0, 1, 0, 1, 0, -1]), "negative class id");
    let mut moco = cfg.clone();
    moco.objective = Objective::MocoV2;
    assert!(run(&moco, &[0, 1, 0, 1, 0, 1, 0, 1]), "objective");
    let mut resume = cfg.clone();
    resume.resume = true;
    assert!(run(&resume, &[0, 1, 0, 1, 0, 1, 0, 1]), "resume");
}
