//! Arguments, part 2: out-of-range numbers (k = 0, folds > samples, batch 0, width 0, ...) are
//! refused before any work starts, naming the flag or the setting.

use std::path::Path;

use super::harness::*;
use super::names::{MODEL, arg_case, feats, image, imgs};
use crate::args;

pub fn cases(root: &Path) -> Vec<Case> {
    let mut v = Vec::new();
    arg_case(
        root,
        &mut v,
        "k = 0 (views)",
        |d| {
            args![
                "invariance",
                "views",
                "--transform",
                "rotation",
                "--k",
                "0",
                "--image",
                image(d),
                "--out",
                d.out("o")
            ]
        },
        &["--k"],
        "not in 1..",
    );
    arg_case(
        root,
        &mut v,
        "k = 0 (knn)",
        |d| {
            let f = feats(d, 20);
            args![
                "probe",
                "--task",
                "knn",
                "--k",
                "0",
                "--train",
                &f,
                "--test",
                &f,
                "--out",
                d.out("o")
            ]
        },
        &["k = 0"],
        "need 1 <= k",
    );
    arg_case(
        root,
        &mut v,
        "folds > samples",
        |d| {
            let f = feats(d, 6);
            args![
                "probe",
                "--task",
                "classification",
                "--folds",
                "10",
                "--train",
                &f,
                "--test",
                &f,
                "--out",
                d.out("o")
            ]
        },
        &["10", "6"],
        "folds",
    );
    arg_case(
        root,
        &mut v,
        "folds = 1",
        |d| {
            let f = feats(d, 20);
            args![
                "probe",
                "--task",
                "classification",
                "--folds",
                "1",
                "--train",
                &f,
                "--test",
                &f,
                "--out",
                d.out("o")
            ]
        },
        &["folds"],
        "at least 2",
    );
    arg_case(
        root,
        &mut v,
        "batch size 0 (features)",
        |d| {
            args![
                "features",
                "--model",
                MODEL,
                "--batch-size",
                "0",
                "--images",
                imgs(d),
                "--out",
                d.out("o")
            ]
        },
        &["--batch-size"],
        "not in 1..",
    );
    arg_case(
        root,
        &mut v,
        "batch size 0 (pretrain)",
        |d| {
            args![
                "pretrain",
                "--dataset",
                "folder",
                "--root",
                imgs(d),
                "--batch-size",
                "0",
                "--epochs",
                "1",
                "--out",
                d.out("o")
            ]
        },
        &["batch size 0"],
        "needs >= 2",
    );
    arg_case(
        root,
        &mut v,
        "width 0 in a model spec",
        |d| {
            args![
                "features",
                "--model",
                "random:resnet18:seed=0:width=0",
                "--images",
                imgs(d),
                "--out",
                d.out("o")
            ]
        },
        &["width"],
        "positive",
    );
    arg_case(
        root,
        &mut v,
        "width multiplier 0 (pretrain)",
        |d| {
            args![
                "pretrain",
                "--dataset",
                "folder",
                "--root",
                imgs(d),
                "--width-mult",
                "0",
                "--batch-size",
                "2",
                "--epochs",
                "1",
                "--out",
                d.out("o")
            ]
        },
        &["width"],
        "positive",
    );
    arg_case(
        root,
        &mut v,
        "knn temperature 0",
        |d| {
            let f = feats(d, 20);
            args![
                "probe",
                "--task",
                "knn",
                "--temperature",
                "0",
                "--train",
                &f,
                "--test",
                &f,
                "--out",
                d.out("o")
            ]
        },
        &["temperature"],
        "positive",
    );
    arg_case(
        root,
        &mut v,
        "few-shot with 0 shots",
        |d| {
            let f = feats(d, 20);
            args![
                "probe",
                "--task",
                "fewshot",
                "--shots",
                "0",
                "--test",
                &f,
                "--out",
                d.out("o")
            ]
        },
        &["0-shot"],
        "shots",
    );
    arg_case(
        root,
        &mut v,
        "augment with a missing parameter",
        |d| {
            args![
                "augment",
                "--op",
                "blur",
                "--param",
                "23",
                "--input",
                image(d),
                "--output",
                d.out("o")
            ]
        },
        &["blur"],
        "parameter",
    );
    arg_case(
        root,
        &mut v,
        "augment with a NaN parameter",
        |d| {
            args![
                "augment",
                "--op",
                "rotate",
                "--param",
                "NaN",
                "--input",
                image(d),
                "--output",
                d.out("o")
            ]
        },
        &["rotate"],
        "finite",
    );
    v
}
