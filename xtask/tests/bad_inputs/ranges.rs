//! Arguments, part 2: out-of-range numbers (k = 0, folds > samples, batch 0, width 0, ...) are
//! refused before any work starts, naming the flag or the setting.

use std::path::Path;

use super::harness::*;
use super::names::{Input::*, arg_cases};

pub fn cases(root: &Path) -> Vec<Case> {
    arg_cases(
        root,
        &[
            (
                "k = 0 (views)",
                Image,
                "invariance views --transform rotation --k 0 --image IN --out OUT",
                &["--k"],
                "not in 1..",
            ),
            (
                "k = 0 (knn)",
                Features(20),
                "probe --task knn --k 0 --train IN --test IN --out OUT",
                &["k = 0"],
                "need 1 <= k",
            ),
            (
                "folds > samples",
                Features(6),
                "probe --task classification --folds 10 --train IN --test IN --out OUT",
                &["10", "6"],
                "folds",
            ),
            (
                "folds = 1",
                Features(20),
                "probe --task classification --folds 1 --train IN --test IN --out OUT",
                &["folds"],
                "at least 2",
            ),
            (
                "batch size 0 (features)",
                Images,
                "features --model MODEL --batch-size 0 --images IN --out OUT",
                &["--batch-size"],
                "not in 1..",
            ),
            (
                "batch size 0 (pretrain)",
                Images,
                "pretrain --dataset folder --root IN --batch-size 0 --epochs 1 --out OUT",
                &["batch size 0"],
                "needs >= 2",
            ),
            (
                "width 0 in a model spec",
                Images,
                "features --model random:resnet18:seed=0:width=0 --images IN --out OUT",
                &["width"],
                "positive",
            ),
            (
                "width multiplier 0 (pretrain)",
                Images,
                "pretrain --dataset folder --root IN --width-mult 0 --batch-size 2 --epochs 1 --out OUT",
                &["width"],
                "positive",
            ),
            (
                "knn temperature 0",
                Features(20),
                "probe --task knn --temperature 0 --train IN --test IN --out OUT",
                &["temperature"],
                "positive",
            ),
            (
                "few-shot with 0 shots",
                Features(20),
                "probe --task fewshot --shots 0 --test IN --out OUT",
                &["0-shot"],
                "shots",
            ),
            (
                "augment with a missing parameter",
                Image,
                "augment --op blur --param 23 --input IN --output OUT",
                &["blur"],
                "parameter",
            ),
            (
                "augment with a NaN parameter",
                Image,
                "augment --op rotate --param NaN --input IN --output OUT",
                &["rotate"],
                "finite",
            ),
        ],
    )
}
