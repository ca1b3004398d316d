//! Pretraining the sslinv ResNet: torchvision key names, a checkpoint that loads back into
//! `ResNet::new` with the same features, and deterministic seeding.

mod common;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use common::{assert_moco_learned, images, learning_schedule, values};
use sslinv_encoders::{Encoder, ResNet, ResNetConfig};
use sslinv_objectives::{Objective, PretrainConfig, ResNetBackbone, pretrain, read_meta};

fn tiny(objective: Objective) -> PretrainConfig {
    let mut cfg = PretrainConfig::small(objective, "default", 1);
    cfg.width_mult = 0.125;
    cfg.image_size = 32;
    cfg.batch_size = 8;
    cfg.hyper.queue_size = 32;
    cfg.name = "tiny".into();
    cfg
}

#[test]
fn resnet_checkpoint_has_torchvision_keys_and_reloads() {
    let imgs = images(16, 40, 5);
    let cfg = tiny(Objective::MocoV2);
    let dir = tempfile::tempdir().unwrap();
    let run = pretrain(&cfg, &imgs, dir.path(), false).unwrap();
    assert_eq!(run.report.history.len(), 2);
    let meta = read_meta(&run.paths.json).unwrap();
    assert_eq!(
        (meta.arch.as_str(), meta.stem.as_str(), meta.width_mult),
        ("resnet18", "cifar", 0.125)
    );
    assert_eq!(meta.dim, 64);
    assert!(meta.shuffle_bn.is_some());

    let dev = Device::Cpu;
    let weights = candle_core::safetensors::load(&run.paths.weights, &dev).unwrap();
    for key in [
        "conv1.weight",
        "bn1.running_var",
        "layer1.0.conv1.weight",
        "layer2.0.downsample.0.weight",
        "layer4.1.bn2.bias",
    ] {
        assert!(weights.contains_key(key), "missing {key}");
    }
    assert!(
        !weights
            .keys()
            .any(|k| k.starts_with("head") || k.starts_with("fc"))
    );

    let rcfg = ResNetConfig {
        arch: meta.arch.parse().unwrap(),
        width_mult: meta.width_mult,
        stem: meta.stem.parse().unwrap(),
    };
    let vb = unsafe {
        VarBuilder::from_mmaped_safetensors(&[&run.paths.weights], DType::F32, &dev).unwrap()
    };
    let loaded = ResNet::new(&rcfg, vb).unwrap();
    let x = Tensor::randn(0f32, 1.0, (2, 3, 32, 32), &dev).unwrap();
    let a = values(&loaded.features(&x).unwrap());
    let b = values(&run.backbone.features(&x).unwrap());
    assert_eq!(a, b);

    // The model-spec path `xtask features --model resnet18:<file>` takes (width and stem come
    // from the JSON next to the weights).
    let spec = format!("resnet18:{}", run.paths.weights.display());
    let encoder = sslinv_encoders::load_encoder(&spec, &dev).unwrap();
    assert_eq!(encoder.dim(), 64);
    let c = values(&encoder.features(&x).unwrap());
    let worst = a
        .iter()
        .zip(&c)
        .map(|(p, q)| (p - q).abs())
        .fold(0f32, f32::max);
    assert!(worst < 1e-4, "load_encoder features differ by {worst}");
}

#[test]
fn same_seed_same_initial_weights() {
    let cfg = tiny(Objective::Simclr);
    let a = ResNetBackbone::new(&cfg, 3).unwrap();
    let b = ResNetBackbone::new(&cfg, 3).unwrap();
    let c = ResNetBackbone::new(&cfg, 4).unwrap();
    let w = |m: &ResNetBackbone| {
        use sslinv_objectives::Backbone;
        values(
            m.named_vars()
                .iter()
                .find(|(n, _)| n == "layer1.0.conv1.weight")
                .unwrap()
                .1
                .as_tensor(),
        )
    };
    assert_eq!(w(&a), w(&b));
    assert_ne!(w(&a), w(&c));
}

#[test]
fn resnet_moco_loss_falls_and_accuracy_rises() {
    // The real backbone (ResNet-18 at base width 8, CIFAR stem) on the same procedural images
    // and schedule as the tiny-backbone learning test in training.rs.
    let imgs = images(64, 48, 1);
    let mut cfg = tiny(Objective::MocoV2);
    learning_schedule(&mut cfg, 16, 7);
    let dir = tempfile::tempdir().unwrap();
    let run = pretrain(&cfg, &imgs, dir.path(), false).unwrap();
    let h = &run.report.history;
    // From step 4 the queue holds only real keys (K = 64, batch 16).
    assert_moco_learned(h, 4, 8);
}

#[test]
fn same_seed_same_run_on_any_thread_count() {
    // MoCo v2 on the real backbone: losses and the saved weights must be bit-identical whether
    // rayon runs 1, 2 or 3 threads (the standard is one result per seed, on any machine).
    let imgs = images(24, 40, 3);
    let run_on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut cfg = tiny(Objective::MocoV2);
            cfg.epochs = 1;
            let dir = tempfile::tempdir().unwrap();
            let run = pretrain(&cfg, &imgs, dir.path(), false).unwrap();
            let losses: Vec<u32> = run
                .report
                .history
                .iter()
                .map(|s| s.loss.to_bits())
                .collect();
            (losses, std::fs::read(&run.paths.weights).unwrap())
        })
    };
    let one = run_on(1);
    assert_eq!(one.0.len(), 3);
    for threads in [2, 3] {
        let other = run_on(threads);
        assert_eq!(
            other.0, one.0,
            "losses on {threads} threads differ from 1 thread"
        );
        assert!(
            other.1 == one.1,
            "weights on {threads} threads differ from 1 thread"
        );
    }
}
