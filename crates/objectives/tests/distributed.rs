//! Data-parallel MoCo v2: two ranks (threads of this process, the in-process backend, so it runs
//! where MPI is absent) with the global batch split between them equal one process with the same
//! global batch and `bn_splits = 2`, in parameters, momentum buffers and queue, after a few
//! steps, bit for bit: each rank's 8 images are whole conv chunks, and the projection head runs
//! per sub-batch in the single process as on each rank. (xtask/tests/mpi_pretrain.rs checks the
//! same over real MPI processes.)

mod common;

use std::collections::HashMap;
use std::path::Path;

use candle_core::{Device, Tensor};
use common::images;
use sslinv_objectives::checkpoint::read_tensors;
use sslinv_objectives::dist::{Communicator, ThreadRanks, gather_rows};
use sslinv_objectives::{
    Objective, PretrainConfig, ResNetBackbone, pretrain_in, pretrain_with, read_meta,
};

/// The model: ResNet-18 at width 0.25 (CIFAR stem), 32 px views, global batch 16.
fn config() -> PretrainConfig {
    let mut cfg = PretrainConfig::new(Objective::MocoV2, "default", "resnet18");
    cfg.width_mult = 0.25;
    cfg.stem = "cifar".into();
    cfg.image_size = 32;
    cfg.batch_size = 16;
    cfg.epochs = 1;
    cfg.max_steps = Some(3);
    cfg.seed = 5;
    cfg.hyper.queue_size = 64;
    cfg.hyper.bn_splits = 2;
    cfg
}

/// Largest |a - b| over the tensors both files hold, BN running statistics aside; and the
/// names compared.
fn max_diff(a: &Path, b: &Path) -> (f32, Vec<String>) {
    let (a, b) = (
        read_tensors(a, &Device::Cpu).unwrap(),
        read_tensors(b, &Device::Cpu).unwrap(),
    );
    assert_eq!(
        sorted(&a),
        sorted(&b),
        "the two states hold different tensors"
    );
    let mut worst = 0f32;
    let mut names = Vec::new();
    for (name, ta) in &a {
        // Running statistics are rank 0's own (MoCo keeps them so too): one update per step from
        // its shard, where one process updates them once per sub-batch. Training never reads
        // them (BN uses batch statistics), so nothing else depends on them.
        if name.contains("running_") || name.contains("num_batches") || name == "meta.step" {
            continue;
        }
        let d = sslinv_testkit::max_abs_diff(ta, &b[name]);
        worst = worst.max(d);
        names.push(name.clone());
    }
    (worst, names)
}

fn sorted(m: &HashMap<String, Tensor>) -> Vec<&String> {
    let mut k: Vec<&String> = m.keys().collect();
    k.sort();
    k
}

#[test]
fn two_ranks_equal_one_process_with_two_bn_splits() {
    let cfg = config();
    let imgs = images(48, 40, 3);
    let dir = tempfile::tempdir().unwrap();
    let (single, dist) = (dir.path().join("single"), dir.path().join("dist"));
    let one = pretrain_with(&cfg, &imgs, &single, false, false, &|s| {
        ResNetBackbone::new(&cfg, s)
    })
    .unwrap();
    let ranks: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = ThreadRanks::group(2)
            .into_iter()
            .map(|comm| {
                let (cfg, imgs, dist) = (&cfg, &imgs, &dist);
                scope.spawn(move || {
                    pretrain_in(
                        cfg,
                        imgs,
                        dist,
                        false,
                        false,
                        &|s| ResNetBackbone::new(cfg, s),
                        &comm,
                    )
                    .map(|t| t.report.history)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().unwrap())
            .collect()
    });
    let meta = read_meta(&dist.join("model.json")).unwrap();
    assert!(
        meta.shuffle_bn
            .as_deref()
            .unwrap_or("")
            .starts_with("2 ranks x 1"),
        "{:?}",
        meta.shuffle_bn
    );
    assert_eq!(meta.step, 3);
    // Every rank logs the global batch's loss, the same as the single process's.
    for history in &ranks {
        for (a, b) in history.iter().zip(&one.report.history) {
            assert!((a.loss - b.loss).abs() < 1e-5, "{} vs {}", a.loss, b.loss);
            assert!((a.accuracy - b.accuracy).abs() < 1e-6);
        }
    }
    let (worst, names) = max_diff(
        &single.join("model.state.safetensors"),
        &dist.join("model.state.safetensors"),
    );
    eprintln!(
        "2 ranks vs 1 process (bn_splits 2), {} tensors after 3 steps: max |diff| {worst:e}",
        names.len()
    );
    for part in [
        "backbone.",
        "head.",
        "key.",
        "key_head.",
        "opt.",
        "queue.keys",
    ] {
        assert!(
            names.iter().any(|n| n.starts_with(part)),
            "no {part} compared"
        );
    }
    assert!(worst == 0.0, "max |diff| {worst}");
}

#[test]
fn collectives_of_the_in_process_backend() {
    // Per rank: the sum, the gather, the broadcast, the gathered rows.
    let out: Vec<[Vec<f32>; 4]> = std::thread::scope(|scope| {
        let handles: Vec<_> = ThreadRanks::group(3)
            .into_iter()
            .map(|comm| {
                scope.spawn(move || {
                    let r = comm.rank() as f32;
                    let mut sum = vec![r, 10.0 * r];
                    comm.all_reduce_sum(&mut sum).unwrap();
                    let gathered = comm.all_gather(&[r, r + 0.5]).unwrap();
                    let mut root = vec![r; 2];
                    comm.broadcast(&mut root, 2).unwrap();
                    comm.barrier().unwrap();
                    let t = Tensor::new(&[[r, r]], &Device::Cpu).unwrap();
                    let rows = gather_rows(&comm, &t).unwrap();
                    let rows: Vec<f32> = rows.flatten_all().unwrap().to_vec1().unwrap();
                    [sum, gathered, root, rows]
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for [sum, gathered, root, rows] in out {
        assert_eq!(sum, [3.0, 30.0]);
        assert_eq!(gathered, [0.0, 0.5, 1.0, 1.5, 2.0, 2.5]);
        assert_eq!(root, [2.0, 2.0]);
        assert_eq!(rows, [0.0, 0.0, 1.0, 1.0, 2.0, 2.0]);
    }
}
