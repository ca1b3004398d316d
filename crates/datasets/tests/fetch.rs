//! `fetch`: offline failure is fast and names the repo; zip archives unpack safely; manual datasets say where.

use std::io::Write;
use std::time::{Duration, Instant};

use sslinv_datasets::fetch::{check_reachable, is_archive, unpack, unpack_nested};
use sslinv_datasets::{hub_source, layout_help};

#[test]
fn unreachable_hub_fails_fast_naming_the_repo() {
    let start = Instant::now();
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    let err = check_reachable(
        "http://127.0.0.1:9",
        "uoft-cs/cifar10",
        Duration::from_secs(3),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("uoft-cs/cifar10") && err.contains("offline"),
        "{err}"
    );
    assert!(start.elapsed() < Duration::from_secs(5));
    let err = check_reachable(
        "https://no-such-host.invalid",
        "Voxel51/COIL-100",
        Duration::from_secs(3),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("Voxel51/COIL-100"), "{err}");
}

#[test]
fn hub_sources_and_manual_help() {
    assert_eq!(hub_source("cifar-10").unwrap().repo, "uoft-cs/cifar10");
    assert_eq!(hub_source("flowers").unwrap().prefix, "flowers-102/");
    assert_eq!(hub_source("imagenet").unwrap().dest, "val");
    assert!(hub_source("300w").is_none());
    assert!(layout_help("300w").unwrap().contains("01_Indoor"));
    assert!(
        layout_help("celeba")
            .unwrap()
            .contains("list_landmarks_align_celeba.txt")
    );
    let err = sslinv_datasets::fetch("celeba", std::path::Path::new("/nonexistent"), false)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no Hub copy") && err.contains("img_align_celeba"),
        "{err}"
    );
}

#[test]
fn zip_archives_unpack_inside_the_destination_only() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("flowers.zip");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("jpg/image_00001.jpg", opts).unwrap();
        zip.write_all(b"jpeg bytes").unwrap();
        zip.start_file("../escape.txt", opts).unwrap();
        zip.write_all(b"nope").unwrap();
        zip.finish().unwrap();
    }
    assert!(is_archive("a/b.tar.gz") && is_archive("x.ZIP") && !is_archive("setid.mat"));
    let dest = dir.path().join("out");
    std::fs::create_dir_all(&dest).unwrap();
    unpack(&archive, &dest).unwrap();
    assert_eq!(
        std::fs::read(dest.join("jpg/image_00001.jpg")).unwrap(),
        b"jpeg bytes"
    );
    assert!(!dir.path().join("escape.txt").exists());
    std::fs::write(&archive, b"not a zip").unwrap();
    let err = unpack(&archive, &dest).unwrap_err().to_string();
    assert!(err.contains("flowers.zip"), "{err}");
}

fn zip_with(path: &std::path::Path, entries: &[(&str, &[u8])]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    for (name, bytes) in entries {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn archives_inside_archives_are_unpacked_once() {
    let dir = tempfile::tempdir().unwrap();
    let inner = dir.path().join("inner.zip");
    zip_with(
        &inner,
        &[("101_ObjectCategories/accordion/image_0001.jpg", b"jpg")],
    );
    let outer = dir.path().join("caltech-101.zip");
    zip_with(
        &outer,
        &[(
            "caltech-101/101_ObjectCategories.zip",
            &std::fs::read(&inner).unwrap(),
        )],
    );
    let dest = dir.path().join("root");
    std::fs::create_dir_all(dest.join("old")).unwrap();
    // An archive that was there before is left alone.
    zip_with(&dest.join("old/keep.zip"), &[("x.txt", b"x")]);
    let before = vec![dest.join("old/keep.zip")];
    unpack(&outer, &dest).unwrap();
    assert_eq!(unpack_nested(&dest, &before).unwrap(), 1);
    assert!(
        dest.join("caltech-101/101_ObjectCategories/accordion/image_0001.jpg")
            .is_file()
    );
    assert!(!dest.join("old/x.txt").exists());
}
