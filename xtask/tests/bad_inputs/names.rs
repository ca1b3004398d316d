//! Arguments, part 1: unknown names (ops, transforms, datasets, presets, policies,
//! architectures, devices, metrics) are refused with the valid ones listed.

use std::ffi::OsString;
use std::path::Path;

use super::files::*;
use super::harness::*;
use sslinv_testkit::cli;

pub const MODEL: &str = "random:resnet18:seed=0:width=0.125:stem=cifar";

pub fn arg_case(
    root: &Path,
    v: &mut Vec<Case>,
    name: &'static str,
    make: impl FnOnce(&CaseDir) -> Vec<OsString>,
    names: &[&str],
    problem: &'static str,
) {
    let d = CaseDir::new(root, &name.replace([' ', '/', '='], "_"));
    let a = make(&d);
    v.push(fails(name, a, d.out("o"), names, problem));
}

pub fn image(d: &CaseDir) -> std::path::PathBuf {
    d.file("a.png", &png(16, 16))
}

pub fn imgs(d: &CaseDir) -> std::path::PathBuf {
    for i in 0..3 {
        d.file(&format!("imgs/{i}.png"), &png(16, 16));
    }
    d.input.join("imgs")
}

pub fn feats(d: &CaseDir, n: usize) -> std::path::PathBuf {
    let (x, y) = separable(n, 2);
    d.file("f.safetensors", &features_file(&x, 4, &y))
}

pub fn cases(root: &Path) -> Vec<Case> {
    let mut v = Vec::new();
    arg_case(
        root,
        &mut v,
        "unknown op",
        |d| {
            cli!(
                "augment --op twirl --input {} --output {}",
                image(d),
                d.out("o")
            )
        },
        &["twirl", "rotate", "posterize"],
        "unknown op",
    );
    arg_case(
        root,
        &mut v,
        "unknown transform (views)",
        |d| {
            cli!(
                "invariance views --transform twirl --image {} --out {}",
                image(d),
                d.out("o")
            )
        },
        &["twirl", "rotation", "translation", "posterize"],
        "unknown transform",
    );
    arg_case(
        root,
        &mut v,
        "unknown transform (synthetic)",
        |d| {
            cli!(
                "invariance synthetic --model {} --transform spin --images {} --out {}",
                MODEL,
                imgs(d),
                d.out("o")
            )
        },
        &["spin", "rotation", "deform"],
        "unknown transform",
    );
    arg_case(
        root,
        &mut v,
        "unknown dataset (downstream)",
        |d| {
            cli!(
                "downstream --model {} --dataset mnist --root {} --out {}",
                MODEL,
                &d.input,
                d.out("o")
            )
        },
        &["mnist", "cifar10", "flowers102"],
        "unknown dataset",
    );
    arg_case(
        root,
        &mut v,
        "unknown dataset (datasets check)",
        |d| cli!("datasets check --dataset mnist --root {}", &d.input),
        &["mnist", "cifar10", "coil100"],
        "unknown dataset",
    );
    arg_case(
        root,
        &mut v,
        "unknown multi-view dataset",
        |d| {
            cli!(
                "invariance multiview --model {} --dataset cifar10 --root {} --out {}",
                MODEL,
                &d.input,
                d.out("o")
            )
        },
        &["cifar10", "coil100"],
        "view",
    );
    arg_case(
        root,
        &mut v,
        "unknown preset",
        |d| {
            cli!(
                "pipeline --preset huge --data-root {} --out {}",
                &d.input,
                d.out("o")
            )
        },
        &["huge", "smoke", "paper"],
        "no such preset",
    );
    arg_case(
        root,
        &mut v,
        "unknown policy",
        |d| {
            cli!(
                "pretrain --dataset folder --root {} --policy sideways --epochs 1 --out {}",
                imgs(d),
                d.out("o")
            )
        },
        &["sideways", "ventral"],
        "policy",
    );
    arg_case(
        root,
        &mut v,
        "unknown architecture",
        |d| {
            cli!(
                "features --model random:resnet7:seed=0 --images {} --out {}",
                imgs(d),
                d.out("o")
            )
        },
        &["resnet7", "resnet18"],
        "unknown",
    );
    arg_case(
        root,
        &mut v,
        "unknown device",
        |d| {
            cli!(
                "features --model {} --device tpu --images {} --out {}",
                MODEL,
                imgs(d),
                d.out("o")
            )
        },
        &["tpu", "cpu"],
        "unknown device",
    );
    arg_case(
        root,
        &mut v,
        "unknown metric",
        |d| {
            let f = feats(d, 20);
            cli!(
                "probe --task classification --metric f1 --train {} --test {} --out {}",
                &f,
                &f,
                d.out("o")
            )
        },
        &["f1", "accuracy", "mean-per-class"],
        "metric",
    );
    v
}
