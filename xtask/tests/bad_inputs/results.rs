//! Features and results: feature files a probe cannot use, a malformed `study.json` given to
//! `report` and preset files with unknown keys or wrong types.

use std::path::Path;

use super::files::*;
use super::harness::*;
use sslinv_testkit::cli;

/// `probe` with `bad` as the file `role` names (`train` or `test`, `knn test` for `--task knn`)
/// and good features as the other.
fn probe(
    root: &Path,
    v: &mut Vec<Case>,
    name: &'static str,
    bad: &[u8],
    role: &str,
    names: &[&str],
    problem: &'static str,
) {
    let d = CaseDir::new(root, &name.replace([' ', '/'], "_"));
    let (x, y) = separable(20, 2);
    let good = d.file("good.safetensors", &features_file(&x, 4, &y));
    let bad = d.file("bad.safetensors", bad);
    let (train, test) = if role == "train" {
        (bad, good)
    } else {
        (good, bad)
    };
    let o = d.out("probe.json");
    let task = if role == "knn test" {
        "knn"
    } else {
        "classification"
    };
    let a = cli!(
        "probe --task {} --train {} --test {} --folds 2 --out {}",
        task,
        train,
        test,
        &o
    );
    v.push(fails(name, a, o, names, problem));
}

fn preset(
    root: &Path,
    v: &mut Vec<Case>,
    name: &'static str,
    text: &str,
    names: &[&str],
    problem: &'static str,
) {
    let d = CaseDir::new(root, &name.replace([' ', '/'], "_"));
    let file = d.file("my.toml", text.as_bytes());
    let o = d.out("run");
    let a = cli!(
        "pipeline --preset {} --data-root {} --out {}",
        &file,
        d.input.join("data"),
        &o
    );
    v.push(fails(name, a, o, names, problem));
}

fn study_json(
    root: &Path,
    v: &mut Vec<Case>,
    name: &'static str,
    text: &str,
    names: &[&str],
    problem: &'static str,
) {
    let d = CaseDir::new(root, &name.replace([' ', '/'], "_"));
    d.file("results/study.json", text.as_bytes());
    let o = d.out("report");
    let a = cli!("report --results {} --out {}", d.input.join("results"), &o);
    v.push(fails(name, a, o, names, problem));
}

pub fn cases(root: &Path) -> Vec<Case> {
    let mut v = Vec::new();
    let (x, y) = separable(20, 2);
    let mut nan = x.clone();
    nan[13] = f32::NAN;
    probe(
        root,
        &mut v,
        "NaN in training features",
        &features_file(&nan, 4, &y),
        "train",
        &["bad.safetensors"],
        "NaN",
    );
    let mut inf = x.clone();
    inf[6] = f32::INFINITY;
    probe(
        root,
        &mut v,
        "Inf in test features",
        &features_file(&inf, 4, &y),
        "test",
        &["bad.safetensors"],
        "inf",
    );
    probe(
        root,
        &mut v,
        "labels shorter than features",
        &features_file(&x, 4, &y[..15]),
        "train",
        &["bad.safetensors", "15"],
        "labels",
    );
    let one = vec![1i64; 20];
    probe(
        root,
        &mut v,
        "a single class in training",
        &features_file(&x, 4, &one),
        "train",
        &["bad.safetensors"],
        "class",
    );
    probe(
        root,
        &mut v,
        "an empty test split",
        &features_file(&[], 4, &[]),
        "test",
        &["bad.safetensors"],
        "no rows",
    );
    let (x3, _) = separable(20, 2);
    let x3: Vec<f32> = x3.into_iter().take(60).collect();
    probe(
        root,
        &mut v,
        "feature dimension differs",
        &features_file(&x3, 3, &y),
        "test",
        &["bad.safetensors", "dimension"],
        "differ",
    );
    probe(
        root,
        &mut v,
        "features file that is JSON",
        b"{\"features\": [[1, 2]]}",
        "train",
        &["bad.safetensors"],
        "not a safetensors",
    );
    let no_labels = safetensors(
        &[(
            "features".into(),
            safetensors::Dtype::F32,
            vec![20, 4],
            x.iter().flat_map(|v| v.to_le_bytes()).collect(),
        )],
        None,
    );
    probe(
        root,
        &mut v,
        "features file without labels",
        &no_labels,
        "train",
        &["bad.safetensors", "labels"],
        "no `labels`",
    );
    probe(
        root,
        &mut v,
        "knn with NaN test features",
        &features_file(&inf, 4, &y),
        "knn test",
        &["bad.safetensors"],
        "non-finite",
    );

    let d = CaseDir::new(root, "rankme_nan");
    let f = d.file("nan.safetensors", &features_file(&nan, 4, &y));
    let o = d.out("rankme.json");
    v.push(fails(
        "rankme on NaN features",
        cli!("rankme --features {} --out {}", f, &o),
        o,
        &["nan.safetensors"],
        "NaN",
    ));

    study_json(
        root,
        &mut v,
        "study.json cut in the middle",
        "{\"preset\": \"demo\", \"models\": [",
        &["study.json"],
        "EOF",
    );
    study_json(
        root,
        &mut v,
        "study.json that is a list",
        "[1, 2, 3]",
        &["study.json"],
        "invalid type",
    );
    study_json(
        root,
        &mut v,
        "study.json with a string for a number",
        "{\"seconds\": \"fast\"}",
        &["study.json"],
        "invalid",
    );
    let d = CaseDir::new(root, "no_study_json");
    let o = d.out("report");
    let a = cli!("report --results {} --out {}", &d.input, &o);
    v.push(fails(
        "results folder without study.json",
        a,
        o,
        &["study.json"],
        "No such file",
    ));

    let smoke = sslinv_study::BUILTIN
        .iter()
        .find(|p| p.0 == "smoke")
        .unwrap()
        .1;
    preset(
        root,
        &mut v,
        "preset with an unknown top-level key",
        &format!("colour = \"blue\"\n{smoke}"),
        &["my.toml", "colour"],
        "unknown field",
    );
    preset(
        root,
        &mut v,
        "preset with an unknown key in [pretrain]",
        &smoke.replace("[pretrain]\n", "[pretrain]\nlearning_rat = 0.1\n"),
        &["my.toml", "learning_rat"],
        "unknown field",
    );
    preset(
        root,
        &mut v,
        "preset with epochs a string",
        &smoke.replace("epochs = 2", "epochs = \"two\""),
        &["my.toml", "epochs"],
        "invalid type",
    );
    preset(
        root,
        &mut v,
        "preset that is not TOML",
        "name = \"x\nseed = [",
        &["my.toml"],
        "TOML",
    );
    v
}
