//! Arguments, part 1: unknown names (ops, transforms, datasets, presets, policies,
//! architectures, devices, metrics) are refused with the valid ones listed.

use std::ffi::OsString;
use std::path::Path;

use super::files::*;
use super::harness::*;

pub const MODEL: &str = "random:resnet18:seed=0:width=0.125:stem=cifar";

/// What an argument case's command line reads, written into its folder.
#[derive(Clone, Copy)]
pub enum Input {
    /// One 16 x 16 PNG.
    Image,
    /// A folder of three.
    Images,
    /// A features file of this many rows (two classes, 4 dims).
    Features(usize),
    /// The case's input folder, empty.
    Folder,
}

/// One argument case: its name, what it reads, the command line (`IN` stands for the input's
/// path, `OUT` for the output's, `MODEL` for a small random ResNet-18), the strings the error
/// must name and the problem it must say.
pub type ArgCase = (
    &'static str,
    Input,
    &'static str,
    &'static [&'static str],
    &'static str,
);

/// The failing cases of `rows`, each in a folder of its own under `root`.
pub fn arg_cases(root: &Path, rows: &[ArgCase]) -> Vec<Case> {
    let mut v = Vec::new();
    for &(name, input, line, names, problem) in rows {
        push_fails(&mut v, root, name, names, problem, |d| {
            let input = match input {
                Input::Image => d.file("a.png", &png(16, 16)),
                Input::Images => {
                    for i in 0..3 {
                        d.file(&format!("imgs/{i}.png"), &png(16, 16));
                    }
                    d.input.join("imgs")
                }
                Input::Features(n) => {
                    let (x, y) = separable(n, 2);
                    d.file("f.safetensors", &features_file(&x, 4, &y))
                }
                Input::Folder => d.input.clone(),
            };
            let out = d.out("o");
            let args = line
                .split_whitespace()
                .map(|w| match w {
                    "IN" => input.clone().into_os_string(),
                    "OUT" => out.clone().into_os_string(),
                    "MODEL" => MODEL.into(),
                    _ => OsString::from(w),
                })
                .collect();
            (args, out)
        });
    }
    v
}

pub fn cases(root: &Path) -> Vec<Case> {
    use Input::*;
    arg_cases(
        root,
        &[
            (
                "unknown op",
                Image,
                "augment --op twirl --input IN --output OUT",
                &["twirl", "rotate", "posterize"],
                "unknown op",
            ),
            (
                "unknown transform (views)",
                Image,
                "invariance views --transform twirl --image IN --out OUT",
                &["twirl", "rotation", "translation", "posterize"],
                "unknown transform",
            ),
            (
                "unknown transform (synthetic)",
                Images,
                "invariance synthetic --model MODEL --transform spin --images IN --out OUT",
                &["spin", "rotation", "deform"],
                "unknown transform",
            ),
            (
                "unknown dataset (downstream)",
                Folder,
                "downstream --model MODEL --dataset mnist --root IN --out OUT",
                &["mnist", "cifar10", "flowers102"],
                "unknown dataset",
            ),
            (
                "unknown dataset (datasets check)",
                Folder,
                "datasets check --dataset mnist --root IN",
                &["mnist", "cifar10", "coil100"],
                "unknown dataset",
            ),
            (
                "unknown multi-view dataset",
                Folder,
                "invariance multiview --model MODEL --dataset cifar10 --root IN --out OUT",
                &["cifar10", "coil100"],
                "view",
            ),
            (
                "unknown preset",
                Folder,
                "pipeline --preset huge --data-root IN --out OUT",
                &["huge", "smoke", "paper"],
                "no such preset",
            ),
            (
                "unknown policy",
                Images,
                "pretrain --dataset folder --root IN --policy sideways --epochs 1 --out OUT",
                &["sideways", "ventral"],
                "policy",
            ),
            (
                "unknown architecture",
                Images,
                "features --model random:resnet7:seed=0 --images IN --out OUT",
                &["resnet7", "resnet18"],
                "unknown",
            ),
            (
                "unknown device",
                Images,
                "features --model MODEL --device tpu --images IN --out OUT",
                &["tpu", "cpu"],
                "unknown device",
            ),
            (
                "unknown metric",
                Features(20),
                "probe --task classification --metric f1 --train IN --test IN --out OUT",
                &["f1", "accuracy", "mean-per-class"],
                "metric",
            ),
        ],
    )
}
