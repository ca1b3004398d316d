//! ImageFolder, CIFAR-10, Caltech101 and Flowers102 on tiny fixtures in their real formats.

mod common;

use common::*;
use sslinv_datasets::{Dataset, DatasetError, Split, Target, TargetKind, open};

#[test]
fn imagenet_val_is_sorted_image_folder() {
    let dir = tempfile::tempdir().unwrap();
    let val = dir.path().join("val");
    write_image(&val.join("n02/b.JPEG"), 5, 4, 3);
    write_image(&val.join("n02/a.JPEG"), 5, 4, 2);
    write_image(&val.join("n01/z.JPEG"), 6, 3, 1);
    std::fs::write(val.join("n01/notes.txt"), "not an image").unwrap();
    let ds = open("imagenet", dir.path(), Split::Val).unwrap();
    assert_eq!(ds.len(), 3);
    assert_eq!(ds.target_kind(), TargetKind::Classes { count: 2 });
    assert_eq!(
        (0..3).map(|i| ds.target(i)).collect::<Vec<_>>(),
        vec![Target::Class(0), Target::Class(1), Target::Class(1)]
    );
    assert!(ds.origin(1).ends_with("a.JPEG"));
    let imgs = ds.images(&[0, 2]).unwrap();
    assert_eq!(imgs[0].dimensions(), (6, 3));
    // JPEG is lossy: the tag channel survives approximately.
    assert!((imgs[1].get_pixel(0, 0).0[0] as i32 - 3).abs() <= 8);
    assert!(matches!(
        open("imagenet", dir.path(), Split::Train),
        Err(DatasetError::UnknownSplit { .. })
    ));
}

fn cifar_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    sslinv_testkit::cifar10_batches(dir.path());
    dir
}

/// The pixel formula of scripts/reference/datasets.py.
fn cifar_pixel(i: usize, c: usize, y: usize, x: usize, batch: usize) -> u8 {
    ((i * 37 + c * 80 + y * 7 + x * 3 + batch * 11) % 256) as u8
}

#[test]
fn cifar10_python_batches_decode_planar_rows() {
    let root = cifar_root();
    let train = open("cifar10", root.path(), Split::Train).unwrap();
    assert_eq!(train.len(), 10);
    assert_eq!(train.target_kind(), TargetKind::Classes { count: 10 });
    let labels: Vec<Target> = (0..10).map(|i| train.target(i)).collect();
    assert_eq!(
        labels,
        (0..10)
            .map(|i| Target::Class(i as i64 % 10))
            .collect::<Vec<_>>()
    );
    // Row 1 of data_batch_3 (batch index 2) is image 5.
    let img = train.image(5).unwrap();
    assert_eq!(img.dimensions(), (32, 32));
    for (x, y) in [(0, 0), (31, 0), (5, 17), (31, 31)] {
        let px = img.get_pixel(x, y).0;
        for (c, &value) in px.iter().enumerate() {
            assert_eq!(
                value,
                cifar_pixel(1, c, y as usize, x as usize, 2),
                "pixel {x},{y} channel {c}"
            );
        }
    }
    let test = open("cifar10", root.path(), Split::Test).unwrap();
    assert_eq!(test.len(), 2);
    assert_eq!(
        test.image(0).unwrap().get_pixel(3, 2).0[1],
        cifar_pixel(0, 1, 2, 3, 5)
    );
    assert!(test.origin(1).ends_with("test_batch#1"));
    assert!(matches!(
        open("cifar10", root.path(), Split::Val),
        Err(DatasetError::UnknownSplit { .. })
    ));
}

#[test]
fn cifar10_corrupt_batch_names_the_file() {
    let root = cifar_root();
    let bad = root.path().join("cifar-10-batches-py/data_batch_4");
    let bytes = std::fs::read(&bad).unwrap();
    std::fs::write(&bad, &bytes[..bytes.len() / 2]).unwrap();
    let err = open_err("cifar10", root.path(), Split::Train);
    assert!(err.contains("data_batch_4"), "{err}");
    std::fs::remove_file(root.path().join("cifar-10-batches-py/test_batch")).unwrap();
    let err = open_err("cifar10", root.path(), Split::Test);
    assert_names(&err, &["test_batch", "missing"]);
}

#[cfg(not(feature = "parquet"))]
#[test]
fn cifar10_parquet_without_the_feature_says_how_to_enable_it() {
    let dir = tempfile::tempdir().unwrap();
    write_text(
        &dir.path().join("plain_text/train-00000-of-00001.parquet"),
        "PAR1",
    );
    let err = open_err("cifar10", dir.path(), Split::Train);
    assert_names(
        &err,
        &["--features parquet", "train-00000-of-00001.parquet"],
    );
}

#[cfg(feature = "parquet")]
#[test]
fn cifar10_hub_parquet_decodes_png_cells() {
    let dir = tempfile::tempdir().unwrap();
    for split in ["train", "test"] {
        let name = format!("plain_text/{split}-00000-of-00001.parquet");
        copy_fixture(&format!("cifar10-parquet/{name}"), &dir.path().join(&name));
    }
    let train = open("cifar10", dir.path(), Split::Train).unwrap();
    assert_eq!(train.len(), 3);
    assert_eq!(train.target(2), Target::Class(2));
    let img = train.image(1).unwrap();
    assert_eq!(img.dimensions(), (32, 32));
    assert_eq!(
        img.get_pixel(7, 30).0,
        [
            cifar_pixel(1, 0, 30, 7, 0),
            cifar_pixel(1, 1, 30, 7, 0),
            cifar_pixel(1, 2, 30, 7, 0)
        ]
    );
    let test = open("cifar10", dir.path(), Split::Test).unwrap();
    assert_eq!((test.len(), test.target(1)), (2, Target::Class(1)));
    assert_eq!(
        test.image(0).unwrap().get_pixel(0, 0).0[0],
        cifar_pixel(0, 0, 0, 0, 5)
    );
    assert!(test.origin(1).ends_with("test-00000-of-00001.parquet#1"));
    let bad = dir.path().join("plain_text/test-00000-of-00001.parquet");
    std::fs::write(&bad, b"PAR1 truncated").unwrap();
    let err = open_err("cifar10", dir.path(), Split::Test);
    assert!(err.contains("test-00000-of-00001.parquet"), "{err}");
}

fn caltech_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("101_ObjectCategories");
    for (class, n) in [("accordion", 31), ("Faces", 33), ("BACKGROUND_Google", 35)] {
        for i in 1..=n {
            write_image(
                &base.join(class).join(format!("image_{i:04}.jpg")),
                4,
                4,
                i as u8,
            );
        }
    }
    dir
}

#[test]
fn caltech101_case_sensitive_classes_and_30_train_per_class_split_file() {
    let root = caltech_root();
    let train = open("caltech101", root.path(), Split::Train).unwrap();
    let test = open("caltech101", root.path(), Split::Test).unwrap();
    assert_eq!(train.len(), 90);
    assert_eq!(test.len(), 1 + 3 + 5);
    // Byte order: BACKGROUND_Google < Faces < accordion.
    let count = |ds: &dyn Dataset, c: i64| {
        (0..ds.len())
            .filter(|&i| ds.target(i) == Target::Class(c))
            .count()
    };
    assert_eq!(
        [
            count(train.as_ref(), 0),
            count(train.as_ref(), 1),
            count(train.as_ref(), 2)
        ],
        [30, 30, 30]
    );
    assert_eq!(
        [
            count(test.as_ref(), 0),
            count(test.as_ref(), 1),
            count(test.as_ref(), 2)
        ],
        [5, 3, 1]
    );
    assert!(train.origin(0).contains("BACKGROUND_Google"));
    // An archive that unpacked into a folder of its own is found one level down.
    let nested = tempfile::tempdir().unwrap();
    std::fs::rename(
        root.path().join("101_ObjectCategories"),
        nested.path().join("101_ObjectCategories"),
    )
    .ok();
    let wrapped = tempfile::tempdir().unwrap();
    std::fs::rename(nested.path(), wrapped.path().join("caltech-101")).unwrap();
    assert_eq!(
        open("caltech101", wrapped.path(), Split::Test)
            .unwrap()
            .len(),
        9
    );
    std::fs::rename(
        wrapped.path().join("caltech-101/101_ObjectCategories"),
        root.path().join("101_ObjectCategories"),
    )
    .unwrap();
    let split_file = root.path().join("caltech101_split.txt");
    let text = std::fs::read_to_string(&split_file).unwrap();
    assert_eq!(text.lines().filter(|l| l.starts_with("train ")).count(), 90);
    // Re-opening reads the file and gives the same split.
    let again = open("caltech101", root.path(), Split::Test).unwrap();
    assert_eq!(
        (0..again.len())
            .map(|i| again.origin(i))
            .collect::<Vec<_>>(),
        (0..test.len()).map(|i| test.origin(i)).collect::<Vec<_>>()
    );
    // A malformed line is reported with its number.
    let mut lines: Vec<&str> = text.lines().collect();
    lines[6] = "validation accordion/image_0001.jpg";
    std::fs::write(&split_file, lines.join("\n")).unwrap();
    let err = open_err("caltech101", root.path(), Split::Train);
    assert!(err.contains("caltech101_split.txt:7"), "{err}");
}

fn flowers_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(
        "flowers/imagelabels.mat",
        &dir.path().join("imagelabels.mat"),
    );
    copy_fixture("flowers/setid.mat", &dir.path().join("setid.mat"));
    for i in 1..=6 {
        write_image(
            &dir.path().join(format!("jpg/image_{i:05}.jpg")),
            8,
            6,
            i as u8 * 20,
        );
    }
    dir
}

#[test]
fn flowers102_reads_mat_v5_splits_and_labels_minus_one() {
    let root = flowers_root();
    let ids = |split| {
        let ds = open("flowers102", root.path(), split).unwrap();
        let t: Vec<Target> = (0..ds.len()).map(|i| ds.target(i)).collect();
        let files: Vec<String> = (0..ds.len())
            .map(|i| ds.origin(i).rsplit('/').next().unwrap().to_string())
            .collect();
        (t, files)
    };
    let (t, f) = ids(Split::Train);
    assert_eq!(t, vec![Target::Class(2), Target::Class(0)]);
    assert_eq!(f, vec!["image_00001.jpg", "image_00002.jpg"]);
    assert_eq!(ids(Split::Val).0, vec![Target::Class(1), Target::Class(2)]);
    // setid.mat is compressed (miCOMPRESSED); tstid lists 6 then 5.
    let (t, f) = ids(Split::Test);
    assert_eq!(t, vec![Target::Class(101), Target::Class(0)]);
    assert_eq!(f, vec!["image_00006.jpg", "image_00005.jpg"]);
    let all = open("flowers102", root.path(), Split::All).unwrap();
    assert_eq!(all.target_kind(), TargetKind::Classes { count: 102 });
    assert_eq!(all.len(), 6);
}

#[test]
fn flowers102_missing_or_corrupt_files_are_errors_naming_them() {
    let root = flowers_root();
    std::fs::write(
        root.path().join("jpg/image_00002.jpg"),
        b"\xff\xd8 not really a jpeg",
    )
    .unwrap();
    let ds = open("flowers102", root.path(), Split::Train).unwrap();
    let err = ds.image(1).err().unwrap().to_string();
    assert!(err.contains("image_00002.jpg"), "{err}");
    assert!(ds.images(&[0, 1]).is_err());
    std::fs::write(
        root.path().join("setid.mat"),
        b"MATLAB 5.0 MAT-file, truncated",
    )
    .unwrap();
    let err = open_err("flowers102", root.path(), Split::Test);
    assert!(err.contains("setid.mat"), "{err}");
    std::fs::remove_file(root.path().join("imagelabels.mat")).unwrap();
    let err = open_err("flowers102", root.path(), Split::Train);
    assert_names(&err, &["imagelabels.mat", "missing"]);
}
