//! Arguments, part 2: out-of-range numbers (k = 0, folds > samples, batch 0, width 0, ...) are
//! refused before any work starts, naming the flag or the setting.

use std::path::Path;

use super::harness::*;
use super::names::{MODEL, arg_case, feats, image, imgs};
use sslinv_testkit::cli;

pub fn cases(root: &Path) -> Vec<Case> {
    let mut v = Vec::new();
    arg_case(
        root,
        &mut v,
        "k = 0 (views)",
        |d| {
            cli!(
                "invariance views --transform rotation --k 0 --image {} --out {}",
                image(d),
                d.out("o")
            )
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
            cli!(
                "probe --task knn --k 0 --train {} --test {} --out {}",
                &f,
                &f,
                d.out("o")
            )
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
            cli!(
                "probe --task classification --folds 10 --train {} --test {} --out {}",
                &f,
                &f,
                d.out("o")
            )
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
            cli!(
                "probe --task classification --folds 1 --train {} --test {} --out {}",
                &f,
                &f,
                d.out("o")
            )
        },
        &["folds"],
        "at least 2",
    );
    arg_case(
        root,
        &mut v,
        "batch size 0 (features)",
        |d| {
            cli!(
                "features --model {} --batch-size 0 --images {} --out {}",
                MODEL,
                imgs(d),
                d.out("o")
            )
        },
        &["--batch-size"],
        "not in 1..",
    );
    arg_case(
        root,
        &mut v,
        "batch size 0 (pretrain)",
        |d| {
            cli!(
                "pretrain --dataset folder --root {} --batch-size 0 --epochs 1 --out {}",
                imgs(d),
                d.out("o")
            )
        },
        &["batch size 0"],
        "needs >= 2",
    );
    arg_case(
        root,
        &mut v,
        "width 0 in a model spec",
        |d| {
            cli!(
                "features --model random:resnet18:seed=0:width=0 --images {} --out {}",
                imgs(d),
                d.out("o")
            )
        },
        &["width"],
        "positive",
    );
    arg_case(
        root,
        &mut v,
        "width multiplier 0 (pretrain)",
        |d| {
            cli!(
                "pretrain --dataset folder --root {} --width-mult 0 --batch-size 2 --epochs 1 --out {}",
                imgs(d),
                d.out("o")
            )
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
            cli!(
                "probe --task knn --temperature 0 --train {} --test {} --out {}",
                &f,
                &f,
                d.out("o")
            )
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
            cli!(
                "probe --task fewshot --shots 0 --test {} --out {}",
                &f,
                d.out("o")
            )
        },
        &["0-shot"],
        "shots",
    );
    arg_case(
        root,
        &mut v,
        "augment with a missing parameter",
        |d| {
            cli!(
                "augment --op blur --param 23 --input {} --output {}",
                image(d),
                d.out("o")
            )
        },
        &["blur"],
        "parameter",
    );
    arg_case(
        root,
        &mut v,
        "augment with a NaN parameter",
        |d| {
            cli!(
                "augment --op rotate --param NaN --input {} --output {}",
                image(d),
                d.out("o")
            )
        },
        &["rotate"],
        "finite",
    );
    v
}
