//! Checkpoints: broken safetensors, weights that do not fit, hostile pickles and model cards
//! that disagree with their weights, all through `features --model resnet18:FILE`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use safetensors::Dtype;
use sslinv_encoders::{Arch, ResNetConfig, Stem};

use super::files::*;
use super::harness::*;
use sslinv_testkit::cli;

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
    let a = cli!(
        "features --model {} --images {} --resize 32 --crop 32 --out {}",
        model,
        d.input.join("imgs"),
        &out
    );
    (a, out)
}

fn case(
    root: &Path,
    v: &mut Vec<Case>,
    name: &'static str,
    file: &str,
    bytes: &[u8],
    names: &[&str],
    problem: &'static str,
) {
    let d = CaseDir::new(root, &name.replace([' ', '/'], "_"));
    let (a, o) = features(&d, file, bytes, "resnet18");
    v.push(fails(name, a, o, names, problem));
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

    case(
        root,
        &mut v,
        "truncated safetensors",
        "cut.safetensors",
        &good[..good.len() / 2],
        &["cut.safetensors"],
        "safetensors",
    );
    case(
        root,
        &mut v,
        "zero-byte safetensors",
        "empty.safetensors",
        &[],
        &["empty.safetensors"],
        "safetensors",
    );

    // The 8-byte header length says far more than the file holds.
    let mut huge = good.clone();
    huge[..8].copy_from_slice(&(1u64 << 40).to_le_bytes());
    case(
        root,
        &mut v,
        "header length past the end",
        "long.safetensors",
        &huge,
        &["long.safetensors"],
        "header",
    );

    // The header length is just past the end of the file.
    let mut long = good.clone();
    long[..8].copy_from_slice(&(good.len() as u64).to_le_bytes());
    case(
        root,
        &mut v,
        "header length a few bytes too long",
        "over.safetensors",
        &long,
        &["over.safetensors"],
        "header",
    );

    let mut wrong_dtype = resnet18();
    let bytes_i32: Vec<u8> = wrong_dtype[0].3.clone();
    wrong_dtype[0].1 = Dtype::I32;
    wrong_dtype[0].3 = bytes_i32;
    case(
        root,
        &mut v,
        "conv1.weight stored as i32",
        "dtype.safetensors",
        &safetensors(&wrong_dtype, None),
        &["dtype.safetensors", "conv1.weight"],
        "dtype",
    );

    let mut wrong_shape = resnet18();
    let i = wrong_shape
        .iter()
        .position(|t| t.0 == "layer1.0.conv1.weight")
        .unwrap();
    let s = &mut wrong_shape[i];
    s.2 = vec![s.2[0], s.2[1], 1, 9];
    case(
        root,
        &mut v,
        "layer1.0.conv1.weight mis-shaped",
        "shape.safetensors",
        &safetensors(&wrong_shape, None),
        &["shape.safetensors", "layer1.0.conv1.weight"],
        "expected",
    );

    let mut missing = resnet18();
    missing.retain(|t| !t.0.starts_with("layer2.1."));
    case(
        root,
        &mut v,
        "layer2.1 missing",
        "missing.safetensors",
        &safetensors(&missing, None),
        &["missing.safetensors", "layer2.1"],
        "missing",
    );

    let d = CaseDir::new(root, "asked_resnet50");
    let (a, o) = features(&d, "r18.safetensors", &good, "resnet50");
    v.push(fails(
        "a ResNet-18 checkpoint given as resnet50",
        a,
        o,
        &["r18.safetensors", "resnet50"],
        "was asked for",
    ));

    // A model card that disagrees with the weights beside it.
    let d = CaseDir::new(root, "card_disagrees");
    d.file(
        "model.json",
        br#"{"arch": "resnet34", "width_mult": 0.125, "stem": "cifar"}"#,
    );
    let (a, o) = features(&d, "model.safetensors", &good, "resnet18");
    v.push(fails(
        "model card says resnet34, weights hold a resnet18",
        a,
        o,
        &["model.safetensors", "resnet34"],
        "json says",
    ));

    let d = CaseDir::new(root, "card_malformed");
    d.file(
        "model.json",
        br#"{"arch": "resnet18", "width_mult": "wide", "stem": "cifar"}"#,
    );
    let (a, o) = features(&d, "model.safetensors", &good, "resnet18");
    v.push(fails(
        "model card with width_mult a string",
        a,
        o,
        &["model.json", "\"wide\""],
        "invalid type",
    ));

    // A PyTorch zip whose pickle calls os.system: refused, and nothing runs.
    let marker = root.join("pwned");
    let pickle = calling_pickle("posix", "system", &format!("touch {}", marker.display()));
    let zip = stored_zip(&[("archive/data.pkl", &pickle), ("archive/version", b"3\n")]);
    case(
        root,
        &mut v,
        "pth pickle calling os.system",
        "evil.pth",
        &zip,
        &["evil.pth", "posix.system"],
        "not allowed",
    );
    let builtins = calling_pickle("builtins", "eval", "__import__('os').system('true')");
    let zip = stored_zip(&[("archive/data.pkl", &builtins), ("archive/version", b"3\n")]);
    case(
        root,
        &mut v,
        "pth pickle calling builtins.eval",
        "eval.pth.tar",
        &zip,
        &["eval.pth.tar", "builtins.eval"],
        "not allowed",
    );
    case(
        root,
        &mut v,
        "pth that is not a zip",
        "plain.pth",
        &pickle,
        &["plain.pth"],
        "zip",
    );
    v
}
