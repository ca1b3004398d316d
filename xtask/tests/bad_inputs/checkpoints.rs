//! Checkpoints: broken safetensors, weights that do not fit, hostile pickles and model cards
//! that disagree with their weights, all through `features --model resnet18:FILE`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use safetensors::Dtype;
use sslinv_encoders::{Arch, ResNetConfig, Stem};

use super::files::*;
use super::harness::*;

type Tensors = Vec<(String, Dtype, Vec<usize>, Vec<u8>)>;

/// Every tensor of a width-1/8 CIFAR-stem ResNet-18, zeros (running variances one).
fn resnet18() -> Tensors {
    let config = ResNetConfig {
        arch: Arch::ResNet18,
        width_mult: 0.125,
        stem: Stem::Cifar,
    };
    config
        .param_shapes()
        .into_iter()
        .map(|(name, shape)| {
            let n: usize = shape.iter().product();
            let v = if name.ends_with("running_var") {
                1f32
            } else {
                0.0
            };
            let bytes = (0..n).flat_map(|_| v.to_le_bytes()).collect();
            (name, Dtype::F32, shape, bytes)
        })
        .collect()
}

/// `features` with the checkpoint `file` (written under `in/`) as the model.
fn features(d: &CaseDir, file: &str, bytes: &[u8], arch: &str) -> (Vec<OsString>, PathBuf) {
    let ckpt = d.file(file, bytes);
    d.file("imgs/a.png", &png(20, 20));
    let out = d.out("f.safetensors");
    let model = format!("{arch}:{}", ckpt.display());
    (features_args(&model, &d.input.join("imgs"), &out), out)
}

pub fn cases(root: &Path) -> Vec<Case> {
    let mut v = Vec::new();
    let good = safetensors(&resnet18(), None);

    // The good checkpoint loads: the cases below differ from it in one way each.
    let d = CaseDir::new(root, "good_checkpoint");
    let (a, o) = features(&d, "good.safetensors", &good, "resnet18");
    v.push(Case {
        name: "the well-formed checkpoint the others break (succeeds)",
        args: a,
        out: o,
        expect: Expect::Succeeds {
            check: |o| o.is_file().then_some(()).ok_or("no features file".into()),
        },
    });

    // The 8-byte header length says far more than the file holds.
    let mut huge = good.clone();
    huge[..8].copy_from_slice(&(1u64 << 40).to_le_bytes());
    // The header length is just past the end of the file.
    let mut long = good.clone();
    long[..8].copy_from_slice(&(good.len() as u64).to_le_bytes());

    let mut wrong_dtype = resnet18();
    let bytes_i32: Vec<u8> = wrong_dtype[0].3.clone();
    wrong_dtype[0].1 = Dtype::I32;
    wrong_dtype[0].3 = bytes_i32;

    let mut wrong_shape = resnet18();
    let i = wrong_shape
        .iter()
        .position(|t| t.0 == "layer1.0.conv1.weight")
        .unwrap();
    let s = &mut wrong_shape[i];
    s.2 = vec![s.2[0], s.2[1], 1, 9];

    let mut missing = resnet18();
    missing.retain(|t| !t.0.starts_with("layer2.1."));

    // A PyTorch zip whose pickle calls os.system: refused, and nothing runs.
    let marker = root.join("pwned");
    let pickle = calling_pickle("posix", "system", &format!("touch {}", marker.display()));
    let evil = stored_zip(&[("archive/data.pkl", &pickle), ("archive/version", b"3\n")]);
    let builtins = calling_pickle("builtins", "eval", "__import__('os').system('true')");
    let eval = stored_zip(&[("archive/data.pkl", &builtins), ("archive/version", b"3\n")]);

    // `features` over a checkpoint file, asked for as an architecture, with or without a model
    // card beside it: (case name, file, bytes, architecture, model.json, names, problem).
    type Row<'a> = (
        &'static str,
        &'a str,
        Vec<u8>,
        &'a str,
        Option<&'a [u8]>,
        &'a [&'a str],
        &'static str,
    );
    let failing: [Row; 13] = [
        (
            "truncated safetensors",
            "cut.safetensors",
            good[..good.len() / 2].to_vec(),
            "resnet18",
            None,
            &["cut.safetensors"],
            "safetensors",
        ),
        (
            "zero-byte safetensors",
            "empty.safetensors",
            Vec::new(),
            "resnet18",
            None,
            &["empty.safetensors"],
            "safetensors",
        ),
        (
            "header length past the end",
            "long.safetensors",
            huge,
            "resnet18",
            None,
            &["long.safetensors"],
            "header",
        ),
        (
            "header length a few bytes too long",
            "over.safetensors",
            long,
            "resnet18",
            None,
            &["over.safetensors"],
            "header",
        ),
        (
            "conv1.weight stored as i32",
            "dtype.safetensors",
            safetensors(&wrong_dtype, None),
            "resnet18",
            None,
            &["dtype.safetensors", "conv1.weight"],
            "dtype",
        ),
        (
            "layer1.0.conv1.weight mis-shaped",
            "shape.safetensors",
            safetensors(&wrong_shape, None),
            "resnet18",
            None,
            &["shape.safetensors", "layer1.0.conv1.weight"],
            "expected",
        ),
        (
            "layer2.1 missing",
            "missing.safetensors",
            safetensors(&missing, None),
            "resnet18",
            None,
            &["missing.safetensors", "[2, 1, 2, 2]", "layer2.1 missing"],
            "missing",
        ),
        (
            "a ResNet-18 checkpoint given as resnet50",
            "r18.safetensors",
            good.clone(),
            "resnet50",
            None,
            &["r18.safetensors", "resnet50"],
            "was asked for",
        ),
        (
            "model card says resnet34, weights hold a resnet18",
            "model.safetensors",
            good.clone(),
            "resnet18",
            Some(br#"{"arch": "resnet34", "width_mult": 0.125, "stem": "cifar"}"#),
            &["model.safetensors", "resnet34"],
            "json says",
        ),
        (
            "model card with width_mult a string",
            "model.safetensors",
            good.clone(),
            "resnet18",
            Some(br#"{"arch": "resnet18", "width_mult": "wide", "stem": "cifar"}"#),
            &["model.json", "\"wide\""],
            "invalid type",
        ),
        (
            "pth pickle calling os.system",
            "evil.pth",
            evil,
            "resnet18",
            None,
            &["evil.pth", "posix.system"],
            "not allowed",
        ),
        (
            "pth pickle calling builtins.eval",
            "eval.pth.tar",
            eval,
            "resnet18",
            None,
            &["eval.pth.tar", "builtins.eval"],
            "not allowed",
        ),
        (
            "pth that is not a zip",
            "plain.pth",
            pickle,
            "resnet18",
            None,
            &["plain.pth"],
            "zip",
        ),
    ];
    for (name, file, bytes, arch, card, names, problem) in failing {
        push_fails(&mut v, root, name, names, problem, |d| {
            if let Some(card) = card {
                d.file("model.json", card);
            }
            features(d, file, &bytes, arch)
        });
    }
    v
}
