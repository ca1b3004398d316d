//! Features and results: feature files a probe cannot use, a malformed `study.json` given to
//! `report` and preset files with unknown keys or wrong types.

use std::path::Path;

use super::files::*;
use super::harness::*;
use sslinv_testkit::cli;

pub fn cases(root: &Path) -> Vec<Case> {
    let mut v = Vec::new();
    let (x, y) = separable(20, 2);
    let mut nan = x.clone();
    nan[13] = f32::NAN;
    let mut inf = x.clone();
    inf[6] = f32::INFINITY;
    let (x3, _) = separable(20, 2);
    let x3: Vec<f32> = x3.into_iter().take(60).collect();
    let no_labels = safetensors(
        &[(
            "features".into(),
            safetensors::Dtype::F32,
            vec![20, 4],
            x.iter().flat_map(|v| v.to_le_bytes()).collect(),
        )],
        None,
    );
    // `probe` with a bad features file as the one `role` names (`train` or `test`, `knn test`
    // for `--task knn`) and good features as the other: (case name, bad file, role, names,
    // problem).
    type Row<'a> = (&'static str, Vec<u8>, &'a str, &'a [&'a str], &'static str);
    let probes: [Row; 9] = [
        (
            "NaN in training features",
            features_file(&nan, 4, &y),
            "train",
            &["bad.safetensors"],
            "NaN",
        ),
        (
            "Inf in test features",
            features_file(&inf, 4, &y),
            "test",
            &["bad.safetensors"],
            "inf",
        ),
        (
            "labels shorter than features",
            features_file(&x, 4, &y[..15]),
            "train",
            &["bad.safetensors", "15"],
            "labels",
        ),
        (
            "a single class in training",
            features_file(&x, 4, &[1i64; 20]),
            "train",
            &["bad.safetensors"],
            "class",
        ),
        (
            "an empty test split",
            features_file(&[], 4, &[]),
            "test",
            &["bad.safetensors"],
            "no rows",
        ),
        (
            "feature dimension differs",
            features_file(&x3, 3, &y),
            "test",
            &["bad.safetensors", "dimension"],
            "differ",
        ),
        (
            "features file that is JSON",
            b"{\"features\": [[1, 2]]}".to_vec(),
            "train",
            &["bad.safetensors"],
            "not a safetensors",
        ),
        (
            "features file without labels",
            no_labels,
            "train",
            &["bad.safetensors", "labels"],
            "no `labels`",
        ),
        (
            "knn with NaN test features",
            features_file(&inf, 4, &y),
            "knn test",
            &["bad.safetensors"],
            "non-finite",
        ),
    ];
    for (name, bad, role, names, problem) in probes {
        push_fails(&mut v, root, name, names, problem, |d| {
            let good = d.file("good.safetensors", &features_file(&x, 4, &y));
            let bad = d.file("bad.safetensors", &bad);
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
            (a, o)
        });
    }

    let nan_features = features_file(&nan, 4, &y);
    push_fails(
        &mut v,
        root,
        "rankme on NaN features",
        &["nan.safetensors"],
        "NaN",
        |d| {
            let f = d.file("nan.safetensors", &nan_features);
            let o = d.out("rankme.json");
            (cli!("rankme --features {} --out {}", f, &o), o)
        },
    );

    // Malformed study.json files given to `report`: (case name, text, problem).
    let studies = [
        (
            "study.json cut in the middle",
            "{\"preset\": \"demo\", \"models\": [",
            "EOF",
        ),
        ("study.json that is a list", "[1, 2, 3]", "invalid type"),
        (
            "study.json with a string for a number",
            "{\"seconds\": \"fast\"}",
            "invalid",
        ),
    ];
    for (name, text, problem) in studies {
        push_fails(&mut v, root, name, &["study.json"], problem, |d| {
            d.file("results/study.json", text.as_bytes());
            let o = d.out("report");
            let a = cli!("report --results {} --out {}", d.input.join("results"), &o);
            (a, o)
        });
    }
    push_fails(
        &mut v,
        root,
        "results folder without study.json",
        &["study.json"],
        "No such file",
        |d| {
            let o = d.out("report");
            (cli!("report --results {} --out {}", &d.input, &o), o)
        },
    );

    let smoke = sslinv_study::BUILTIN
        .iter()
        .find(|p| p.0 == "smoke")
        .unwrap()
        .1;
    // Preset files given to `pipeline`: (case name, text, names, problem).
    let presets: [(&'static str, String, &[&str], &'static str); 4] = [
        (
            "preset with an unknown top-level key",
            format!("colour = \"blue\"\n{smoke}"),
            &["my.toml", "colour"],
            "unknown field",
        ),
        (
            "preset with an unknown key in [pretrain]",
            smoke.replace("[pretrain]\n", "[pretrain]\nlearning_rat = 0.1\n"),
            &["my.toml", "learning_rat"],
            "unknown field",
        ),
        (
            "preset with epochs a string",
            smoke.replace("epochs = 2", "epochs = \"two\""),
            &["my.toml", "epochs"],
            "invalid type",
        ),
        (
            "preset that is not TOML",
            "name = \"x\nseed = [".to_string(),
            &["my.toml"],
            "TOML",
        ),
    ];
    for (name, text, names, problem) in presets {
        push_fails(&mut v, root, name, names, problem, |d| {
            let file = d.file("my.toml", text.as_bytes());
            let o = d.out("run");
            let a = cli!(
                "pipeline --preset {} --data-root {} --out {}",
                &file,
                d.input.join("data"),
                &o
            );
            (a, o)
        });
    }
    v
}
