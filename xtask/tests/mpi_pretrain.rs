//! `mpirun -np 2 xtask pretrain --distributed mpi` (MoCo v2 on synth3d, ResNet-18 x0.25, a few
//! steps) equals one process with the same global batch and `--bn-splits 2`: parameters,
//! momentum buffers and queue to 1e-5. It needs a build with the `mpi` feature
//! (`cargo test -p xtask --features mpi --test mpi_pretrain`) and `mpirun` on the PATH;
//! otherwise it says on stderr why it is skipped and passes.

mod common;

use std::path::Path;
use std::process::Command;

use candle_core::Device;
use common::output;
use sslinv_testkit::cli;

fn pretrain(cache: &Path, out: &Path) -> Vec<std::ffi::OsString> {
    cli!(
        "pretrain --objective moco-v2 --dataset synth3d --synth3d quick --arch resnet18 \
         --width-mult 0.25 --stem cifar --image-size 32 --batch-size 16 --queue-size 64 \
         --epochs 1 --max-steps 3 --seed 4 --bn-splits 2 --quiet --root {} --out {}",
        cache,
        out
    )
}

#[test]
fn two_mpi_ranks_equal_one_process_with_two_bn_splits() {
    if !cfg!(feature = "mpi") {
        eprintln!(
            "mpi_pretrain: SKIPPED: this build has no `mpi` feature \
             (cargo test -p xtask --features mpi --test mpi_pretrain; needs Open MPI and libclang)"
        );
        return;
    }
    if Command::new("mpirun").arg("--version").output().is_err() {
        eprintln!("mpi_pretrain: SKIPPED: no `mpirun` on the PATH (install Open MPI)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("synth3d");
    let (single, dist) = (dir.path().join("single"), dir.path().join("mpi"));
    let xtask = env!("CARGO_BIN_EXE_xtask");
    // The single run renders the synth3d cache the ranks then read.
    output(
        Command::new(xtask)
            .args(pretrain(&cache, &single))
            .env("RAYON_NUM_THREADS", "1"),
    );
    output(
        Command::new("mpirun")
            .args(["-np", "2", "--oversubscribe", "-x", "RAYON_NUM_THREADS=1"])
            // Open MPI refuses root unless told; containers and CI runners are often root.
            .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
            .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
            .arg(xtask)
            .args(pretrain(&cache, &dist))
            .args(["--distributed", "mpi"]),
    );

    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dist.join("model.json")).unwrap()).unwrap();
    let layout = card["shuffle_bn"].as_str().unwrap_or("");
    assert!(layout.starts_with("2 ranks x 1"), "not two ranks: {layout}");
    let read = |p: &Path| {
        candle_core::safetensors::load(p.join("model.state.safetensors"), &Device::Cpu).unwrap()
    };
    let (a, b) = (read(&single), read(&dist));
    let mut names: Vec<&String> = a.keys().collect();
    names.sort();
    assert_eq!(names, {
        let mut n: Vec<&String> = b.keys().collect();
        n.sort();
        n
    });
    let mut worst = 0f32;
    let mut compared = 0;
    for name in names {
        // BN running statistics are rank 0's own (one update per step from its shard, where one
        // process updates once per sub-batch); training never reads them.
        if name.contains("running_") || name.contains("num_batches") || name == "meta.step" {
            continue;
        }
        let d = sslinv_testkit::max_abs_diff(&a[name], &b[name]);
        worst = worst.max(d);
        compared += 1;
    }
    eprintln!(
        "mpirun -np 2 vs one process (bn_splits 2): {compared} tensors (parameters, key encoder, \
         momentum buffers, queue), max |diff| {worst:e}"
    );
    assert!(compared > 100 && worst <= 1e-5, "max |diff| {worst}");
}
