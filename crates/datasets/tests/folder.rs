//! `open_folder`: a user's ImageFolder dataset (train/test/optional val) and its bad layouts.

mod common;

use std::path::Path;

use common::write_image;
use sslinv_datasets::{Dataset, DatasetError, Targets, open_folder};

/// train: cat 2 jpg + dog 1 png; test: cat 1, dog 1; optional val: dog 1.
fn layout(root: &Path, val: bool) {
    write_image(&root.join("train/cat/a.jpg"), 20, 16, 1);
    write_image(&root.join("train/cat/b.jpg"), 18, 18, 2);
    write_image(&root.join("train/dog/c.png"), 16, 20, 3);
    std::fs::write(root.join("train/dog/notes.txt"), "not an image").unwrap();
    write_image(&root.join("test/cat/d.png"), 16, 16, 4);
    write_image(&root.join("test/dog/e.jpg"), 24, 16, 5);
    if val {
        write_image(&root.join("val/dog/f.png"), 16, 16, 6);
    }
}

fn ids(t: Targets) -> Vec<i64> {
    match t {
        Targets::Classes { ids, .. } => ids,
        other => panic!("not classes: {other:?}"),
    }
}

#[test]
fn reads_train_test_and_val_with_train_class_ids() {
    let dir = tempfile::tempdir().unwrap();
    layout(dir.path(), false);
    let ds = open_folder(dir.path()).unwrap();
    assert_eq!(ds.classes, ["cat", "dog"]);
    assert_eq!(ids(ds.train.targets()), [0, 0, 1]);
    assert_eq!(ids(ds.test.targets()), [0, 1]);
    assert!(ds.val.is_none());
    assert_eq!(ds.test.image(1).unwrap().dimensions(), (24, 16));
    assert_eq!(ds.train.image(2).unwrap().get_pixel(0, 0)[0], 3);

    write_image(&dir.path().join("val/dog/f.png"), 16, 16, 6);
    let ds = open_folder(dir.path()).unwrap();
    let val = ds.val.unwrap();
    assert_eq!(ids(val.targets()), [1]);
    assert!(val.origin(0).ends_with("val/dog/f.png"));
    let ds = open_folder(dir.path()).unwrap();
    let (both, val_rows) = ds.train_then_val().unwrap();
    assert_eq!((ids(both.targets()), val_rows), (vec![0, 0, 1, 1], 1));
    assert!(both.origin(3).ends_with("val/dog/f.png"));
}

fn error_of(root: &Path) -> String {
    let e = open_folder(root).unwrap_err();
    e.to_string()
}

#[test]
fn bad_folders_are_errors_naming_the_path() {
    // A class with no test images.
    let dir = tempfile::tempdir().unwrap();
    layout(dir.path(), true);
    std::fs::remove_file(dir.path().join("test/dog/e.jpg")).unwrap();
    let msg = error_of(dir.path());
    assert!(msg.contains("test/dog") && msg.contains("no"), "{msg}");

    // A class folder missing from test.
    std::fs::remove_dir(dir.path().join("test/dog")).unwrap();
    let msg = error_of(dir.path());
    assert!(msg.contains("test/dog") && msg.contains("missing"), "{msg}");

    // An empty training class.
    let dir = tempfile::tempdir().unwrap();
    layout(dir.path(), false);
    std::fs::create_dir_all(dir.path().join("train/eel")).unwrap();
    write_image(&dir.path().join("test/eel/g.png"), 8, 8, 7);
    let msg = error_of(dir.path());
    assert!(msg.contains("train/eel"), "{msg}");

    // An unreadable (corrupt) image file.
    let dir = tempfile::tempdir().unwrap();
    layout(dir.path(), false);
    std::fs::write(
        dir.path().join("test/cat/broken.jpg"),
        b"this is not a JPEG file",
    )
    .unwrap();
    let e = open_folder(dir.path()).unwrap_err();
    assert!(matches!(e, DatasetError::Image { .. }), "{e:?}");
    assert!(e.to_string().contains("test/cat/broken.jpg"), "{e}");

    // A test class unknown to train, and a missing split.
    let dir = tempfile::tempdir().unwrap();
    layout(dir.path(), false);
    write_image(&dir.path().join("test/fox/h.png"), 8, 8, 8);
    assert!(error_of(dir.path()).contains("test/fox"));
    std::fs::remove_dir_all(dir.path().join("test")).unwrap();
    let msg = error_of(dir.path());
    assert!(msg.contains("test") && msg.contains("missing"), "{msg}");
}
