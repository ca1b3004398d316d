//! `check`: counts per split, target shapes, group sizes and unreadable files.

mod common;

use common::*;
use sslinv_datasets::{CheckOptions, TargetKind, check};

#[test]
fn check_reports_splits_and_unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_fixture("flowers/imagelabels.mat", &root.join("imagelabels.mat"));
    copy_fixture("flowers/setid.mat", &root.join("setid.mat"));
    for i in 1..=6 {
        write_image(&root.join(format!("jpg/image_{i:05}.jpg")), 8, 6, 0);
    }
    std::fs::write(root.join("jpg/image_00004.jpg"), b"garbage").unwrap();
    let quick = check("flowers", root, CheckOptions::default()).unwrap();
    assert_eq!(quick.dataset, "flowers102");
    assert_eq!(
        quick
            .splits
            .iter()
            .map(|s| (s.split.as_str(), s.count))
            .collect::<Vec<_>>(),
        vec![("train", 2), ("val", 2), ("test", 2)]
    );
    assert_eq!(quick.splits[0].target, TargetKind::Classes { count: 102 });
    assert_eq!(quick.splits[0].classes_present, Some(2));
    assert_eq!(quick.decoded, 0);
    assert!(quick.ok());
    let full = check(
        "flowers102",
        root,
        CheckOptions {
            decode: true,
            limit: None,
        },
    )
    .unwrap();
    assert_eq!(full.decoded, 6);
    assert_eq!(full.unreadable.len(), 1);
    assert!(full.unreadable[0].origin.ends_with("image_00004.jpg"));
    assert!(!full.ok());
    let json = serde_json::to_value(&full).unwrap();
    assert_eq!(json["splits"][1]["target"]["kind"], "classes");
    // When no split loads at all, check fails with the cause.
    std::fs::write(root.join("setid.mat"), b"broken").unwrap();
    assert!(check("flowers102", root, CheckOptions::default()).is_err());
}

#[test]
fn check_reports_group_sizes() {
    let dir = tempfile::tempdir().unwrap();
    for obj in 1..=3 {
        for a in 0..(obj * 2) {
            write_image(
                &dir.path().join(format!("obj{obj}__{}.png", a * 5)),
                3,
                3,
                0,
            );
        }
    }
    let r = check(
        "coil100",
        dir.path(),
        CheckOptions {
            decode: true,
            limit: Some(4),
        },
    )
    .unwrap();
    let g = r.groups.unwrap();
    assert_eq!((g.count, g.images, g.min_size, g.max_size), (3, 12, 2, 6));
    assert_eq!(r.decoded, 4);
    assert!(r.unreadable.is_empty());
}
