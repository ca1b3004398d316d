//! The training loop on procedural images with a tiny backbone: learning happens, every
//! objective runs, checkpoints are complete, and kill-and-resume equals an uninterrupted run.

mod common;

use common::{Tiny, assert_moco_learned, images, learning_schedule, values};
use sslinv_objectives::{
    Backbone, Objective, PretrainConfig, checkpoint::read_tensors, pretrain_with, read_meta,
};

fn config(objective: Objective, policy: &str, epochs: usize) -> PretrainConfig {
    let mut cfg = PretrainConfig::new(objective, policy, "tiny");
    cfg.image_size = 32;
    cfg.batch_size = 16;
    cfg.epochs = epochs;
    cfg.seed = 7;
    cfg.hyper.queue_size = 64;
    cfg
}

#[test]
fn moco_loss_falls_and_accuracy_rises() {
    let imgs = images(64, 48, 1);
    let mut cfg = config(Objective::MocoV2, "default", 1);
    learning_schedule(&mut cfg, 16, 7);
    let dir = tempfile::tempdir().unwrap();
    let run = pretrain_with(&cfg, &imgs, dir.path(), false, false, &Tiny::new).unwrap();
    let h = &run.report.history;
    // From step 4 the queue holds only real keys (K = 64, batch 16).
    assert_moco_learned(h, 4, 8);
}

#[test]
fn every_objective_trains_and_writes_a_checkpoint() {
    let imgs = images(32, 40, 2);
    for objective in [
        Objective::MocoV2,
        Objective::Simclr,
        Objective::Byol,
        Objective::Barlow,
    ] {
        let cfg = config(objective, "default", 1);
        let dir = tempfile::tempdir().unwrap();
        let run = pretrain_with(&cfg, &imgs, dir.path(), false, false, &Tiny::new).unwrap();
        assert_eq!(run.report.history.len(), 2, "{objective:?}");
        assert!(run.report.history.iter().all(|s| s.loss.is_finite()));
        let meta = read_meta(&run.paths.json).unwrap();
        assert_eq!(
            (meta.step, meta.objective, meta.policy.as_str()),
            (2, objective, "default")
        );
        assert_eq!(meta.config.hyper, cfg.hyper);
        let weights = read_tensors(&run.paths.weights, &candle_core::Device::Cpu).unwrap();
        let mut keys: Vec<&String> = weights.keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "bn1.bias",
                "bn1.running_mean",
                "bn1.running_var",
                "bn1.weight",
                "fc1.weight"
            ]
        );
        assert_eq!(
            values(&weights["fc1.weight"]),
            values(run.backbone.named_vars()[4].1.as_tensor())
        );
        assert!(!dir.path().join("model.json.tmp").exists());
    }
}

fn resume_matches(objective: Objective) {
    let imgs = images(48, 40, 3);
    let mut cfg = config(objective, "default", 2);
    cfg.checkpoint_every = 2;
    let full_dir = tempfile::tempdir().unwrap();
    let full = pretrain_with(&cfg, &imgs, full_dir.path(), false, false, &Tiny::new).unwrap();

    // "Kill" after step 4 (a checkpoint lies at 2 and 4), then resume to the end.
    let dir = tempfile::tempdir().unwrap();
    let mut cut = cfg.clone();
    cut.max_steps = Some(4);
    let first = pretrain_with(&cut, &imgs, dir.path(), false, false, &Tiny::new).unwrap();
    assert_eq!(first.meta.step, 4);
    let rest = pretrain_with(&cfg, &imgs, dir.path(), false, true, &Tiny::new).unwrap();
    assert_eq!(rest.report.start_step, 4);
    assert_eq!(rest.report.history.len(), 2);

    let losses = |r: &[sslinv_objectives::StepLog]| r.iter().map(|s| s.loss).collect::<Vec<_>>();
    let mut joined = losses(&first.report.history);
    joined.extend(losses(&rest.report.history));
    assert_eq!(joined, losses(&full.report.history), "{objective:?} losses");
    let a = read_tensors(&full.paths.state, &candle_core::Device::Cpu).unwrap();
    let b = read_tensors(&rest.paths.state, &candle_core::Device::Cpu).unwrap();
    assert_eq!(a.len(), b.len());
    for (k, t) in &a {
        assert_eq!(values(t), values(&b[k]), "{objective:?} {k}");
    }
}

#[test]
fn kill_and_resume_equals_uninterrupted_moco() {
    resume_matches(Objective::MocoV2);
}

#[test]
fn kill_and_resume_equals_uninterrupted_byol() {
    resume_matches(Objective::Byol);
}

#[test]
fn resume_refuses_a_different_run() {
    let imgs = images(32, 40, 4);
    let cfg = config(Objective::Simclr, "ventral", 1);
    let dir = tempfile::tempdir().unwrap();
    pretrain_with(&cfg, &imgs, dir.path(), false, false, &Tiny::new).unwrap();
    let mut other = cfg.clone();
    other.seed = 8;
    let err = pretrain_with(&other, &imgs, dir.path(), false, true, &Tiny::new)
        .err()
        .unwrap();
    assert!(err.to_string().contains("seed"), "{err}");
}
