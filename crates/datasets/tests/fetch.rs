//! `fetch`: offline failure is fast and names the repo; zip archives unpack safely; manual datasets say
//! where; and each Hub repository, served from loopback in its Hub layout through hf-hub's real
//! download code, ends up in a layout `check` counts right (offline, from the cache hf-hub built).

mod common;
mod fake_hub;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use fake_hub::FakeHub;
use sslinv_datasets::fetch::{check_reachable, is_archive, unpack, unpack_nested};
use sslinv_datasets::{
    CheckOptions, FetchOptions, FetchReport, check, fetch_with, hub_source, layout_help,
};

#[test]
fn unreachable_hub_fails_fast_naming_the_repo() {
    fake_hub::no_proxy();
    // The error names the repo and suggests being offline; returns how long it took.
    let unreachable = |endpoint: &str, repo: &str| {
        let start = Instant::now();
        let err = check_reachable(endpoint, repo, Duration::from_secs(3))
            .unwrap_err()
            .to_string();
        assert!(err.contains(repo) && err.contains("offline"), "{err}");
        start.elapsed()
    };
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    assert!(unreachable("http://127.0.0.1:9", "uoft-cs/cifar10") < Duration::from_secs(5));
    unreachable("https://no-such-host.invalid", "Voxel51/COIL-100");
}

#[test]
fn hub_sources_and_manual_help() {
    fake_hub::no_proxy();
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
    assert_names(&err, &["no Hub copy", "img_align_celeba"]);
}

#[test]
fn zip_archives_unpack_inside_the_destination_only() {
    fake_hub::no_proxy();
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
    fake_hub::no_proxy();
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

fn opts(endpoint: &str, cache: &Path) -> FetchOptions {
    FetchOptions {
        endpoint: endpoint.into(),
        cache_dir: Some(cache.to_path_buf()),
        progress: false,
        timeout: Duration::from_secs(3),
        offline: false,
    }
}

fn bytes_of(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

/// Serves `files` as `repo`, fetches `name` into a fresh root, returns (report, root, cache).
fn fetch_served(
    name: &str,
    repo: &str,
    files: Vec<(String, Vec<u8>)>,
    tmp: &Path,
) -> (FetchReport, PathBuf, PathBuf, FakeHub) {
    let hub = FakeHub::serve(repo, files);
    let (root, cache) = (tmp.join("root"), tmp.join("hub"));
    let report = fetch_with(name, &root, &opts(&hub.endpoint, &cache)).unwrap();
    (report, root, cache, hub)
}

fn group_counts(name: &str, root: &Path) -> (usize, usize, usize, usize) {
    let g = check(name, root, CheckOptions::default())
        .unwrap()
        .groups
        .unwrap();
    (g.count, g.images, g.min_size, g.max_size)
}

fn split_counts(name: &str, root: &Path) -> Vec<(String, usize)> {
    let r = check(name, root, CheckOptions::default()).unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    r.splits.into_iter().map(|s| (s.split, s.count)).collect()
}

fn coil_repo() -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        (".gitattributes".into(), b"*.png filter=lfs".to_vec()),
        ("README.md".into(), b"# COIL-100".to_vec()),
        ("fiftyone.yml".into(), b"name: COIL-100".to_vec()),
        ("samples.json".into(), b"{}".to_vec()),
        ("dataset_preview.gif".into(), b"GIF89a".to_vec()),
    ];
    for (k, (obj, view)) in (1..=3)
        .flat_map(|o| (0..4).map(move |v| (o, v)))
        .enumerate()
    {
        files.push((
            format!("data/data_{}/obj{obj}__{}.png", k / 5, view * 5),
            png_bytes(3, 3, k as u8),
        ));
    }
    files
}

#[test]
fn coil100_fetch_nests_views_and_reuses_the_cache_offline() {
    fake_hub::no_proxy();
    let tmp = tempfile::tempdir().unwrap();
    let (report, root, cache, hub) =
        fetch_served("coil100", "Voxel51/COIL-100", coil_repo(), tmp.path());
    assert_eq!((report.files, report.from_cache), (12, false));
    assert!(root.join("coil-100/data_2/obj3__15.png").is_file());
    assert!(!root.join("coil-100/samples.json").exists());
    assert_eq!(group_counts("coil100", &root), (3, 12, 4, 4));
    // Online again: the cache answers, only the listing is asked for.
    let before = hub.requests().len();
    fetch_with("coil100", &root, &opts(&hub.endpoint, &cache)).unwrap();
    let again = hub.requests()[before..].to_vec();
    assert_eq!(again, ["/api/datasets/Voxel51/COIL-100/revision/main"]);
    // HF_HUB_OFFLINE: the cache alone, the reachable hub is not asked.
    let before = hub.requests().len();
    let cache_only = FetchOptions {
        offline: true,
        ..opts(&hub.endpoint, &cache)
    };
    let report = fetch_with("coil100", &tmp.path().join("root1"), &cache_only).unwrap();
    assert!(report.from_cache);
    assert_eq!(hub.requests().len(), before);
    // Offline (nothing listens on port 9): the complete cached copy is installed.
    let root2 = tmp.path().join("root2");
    let report = fetch_with("coil100", &root2, &opts("http://127.0.0.1:9", &cache)).unwrap();
    assert!(report.from_cache);
    assert_eq!(group_counts("coil100", &root2), (3, 12, 4, 4));
    // Offline with an empty cache: a clear error naming the repo.
    let err = fetch_with(
        "coil100",
        &tmp.path().join("root3"),
        &opts("http://127.0.0.1:9", &tmp.path().join("empty")),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("Voxel51/COIL-100")
            && err.contains("offline")
            && err.contains("no complete copy"),
        "{err}"
    );
}

#[test]
fn an_interrupted_download_is_not_taken_for_a_complete_copy() {
    fake_hub::no_proxy();
    let tmp = tempfile::tempdir().unwrap();
    let mut files = coil_repo();
    let (_, _, cache, _) = fetch_served("coil100", "Voxel51/COIL-100", files.clone(), tmp.path());
    // One view goes missing from the cache (as if the download had stopped before it).
    let snapshot = std::fs::read_dir(cache.join("datasets--Voxel51--COIL-100/snapshots"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::remove_file(snapshot.join(&files.pop().unwrap().0)).unwrap();
    let err = fetch_with(
        "coil100",
        &tmp.path().join("again"),
        &opts("http://127.0.0.1:9", &cache),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("no complete copy"), "{err}");
}

#[cfg(feature = "parquet")]
#[test]
fn flickr1024_fetch_converts_the_parquet_shards_into_pairs() {
    fake_hub::no_proxy();
    let tmp = tempfile::tempdir().unwrap();
    let shard = |name: &str, tags: &[u8]| {
        let p = tmp.path().join("src").join(name);
        let rows: Vec<_> = tags
            .iter()
            .map(|&t| vec![Some(png_bytes(4, 2, t)), Some(png_bytes(4, 2, t + 1))])
            .collect();
        write_image_parquet(&p, &["left_image", "right_image"], &rows);
        (format!("data/{name}"), bytes_of(&p))
    };
    let files = vec![
        ("README.md".to_string(), b"---\ndataset_info:".to_vec()),
        shard("train-00000-of-00002.parquet", &[0, 2]),
        shard("train-00001-of-00002.parquet", &[4]),
        shard("validation-00000-of-00001.parquet", &[6]),
        shard("test-00000-of-00001.parquet", &[8, 10]),
    ];
    let (report, root, _, _) =
        fetch_served("flickr1024", "ernestchu/flickr1024", files, tmp.path());
    assert_eq!(report.files, 4);
    assert_eq!(group_counts("flickr1024", &root), (6, 12, 2, 2));
    // The shards stay in the hub cache only: the root holds the pairs.
    let names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["flickr1024-pairs"]);
    assert!(root.join("flickr1024-pairs/train/0003_R.png").is_file());
}

fn tar_gz(dir: &Path, folder: &str, out: &Path) {
    let ok = std::process::Command::new("tar")
        .arg("-czf")
        .arg(out)
        .arg("-C")
        .arg(dir)
        .arg(folder)
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

#[test]
fn caltech101_fetch_unpacks_the_official_zip_and_its_tarball() {
    fake_hub::no_proxy();
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    for (class, n) in [("BACKGROUND_Google", 2), ("Faces", 3), ("accordion", 33)] {
        for i in 1..=n {
            write_image(
                &src.join(format!("101_ObjectCategories/{class}/image_{i:04}.jpg")),
                6,
                4,
                i as u8,
            );
        }
    }
    let tgz = src.join("101_ObjectCategories.tar.gz");
    tar_gz(&src, "101_ObjectCategories", &tgz);
    let zip_path = src.join("caltech-101.zip");
    zip_with(
        &zip_path,
        &[
            ("caltech-101/101_ObjectCategories.tar.gz", &bytes_of(&tgz)),
            ("caltech-101/show_annotation.m", b"% matlab"),
            (
                "__MACOSX/caltech-101/._101_ObjectCategories.tar.gz",
                b"\0\x05\x16\x07 mac",
            ),
        ],
    );
    let files = vec![
        ("Caltech-101.py".to_string(), b"import datasets".to_vec()),
        ("README.md".into(), b"# Caltech".to_vec()),
        (
            "data_readme/sample_100_box_pos.png".into(),
            png_bytes(2, 2, 0),
        ),
        ("caltech-101.zip".into(), bytes_of(&zip_path)),
    ];
    let (report, root, _, _) =
        fetch_served("caltech101", "HuggingFaceM4/Caltech-101", files, tmp.path());
    assert_eq!((report.files, report.archives), (1, 2));
    assert!(!root.join("__MACOSX").exists() && !root.join("Caltech-101.py").exists());
    assert_eq!(
        split_counts("caltech101", &root),
        [("train".to_string(), 35), ("test".to_string(), 3)]
    );
}

#[test]
fn flowers102_fetch_skips_the_tarball_that_repeats_jpg() {
    fake_hub::no_proxy();
    let tmp = tempfile::tempdir().unwrap();
    let mut files = vec![
        ("README.md".to_string(), b"# ViT-FineTune".to_vec()),
        (
            "cifar-100/train.bin".into(),
            b"other datasets of the repo".to_vec(),
        ),
        // Not a real tarball: unpacking it would fail, so this also checks that it is skipped.
        ("flowers-102/102flowers.tgz".into(), b"not fetched".to_vec()),
        (
            "flowers-102/imagelabels.mat".into(),
            bytes_of(&fixtures().join("flowers/imagelabels.mat")),
        ),
        (
            "flowers-102/setid.mat".into(),
            bytes_of(&fixtures().join("flowers/setid.mat")),
        ),
    ];
    let jpg = tmp.path().join("one.jpg");
    write_image(&jpg, 8, 6, 1);
    for i in 1..=6 {
        files.push((format!("flowers-102/jpg/image_{i:05}.jpg"), bytes_of(&jpg)));
    }
    let (report, root, _, hub) =
        fetch_served("flowers102", "Shiym/ViT-FineTune", files, tmp.path());
    assert_eq!((report.files, report.archives), (8, 0));
    assert!(!hub.requests().iter().any(|r| r.ends_with(".tgz")));
    assert_eq!(
        split_counts("flowers102", &root),
        [
            ("train".to_string(), 2),
            ("val".to_string(), 2),
            ("test".to_string(), 2)
        ]
    );
}

#[test]
fn lsp_fetch_of_plain_files_and_of_a_zip_both_load() {
    fake_hub::no_proxy();
    let tmp = tempfile::tempdir().unwrap();
    let jpg = tmp.path().join("one.jpg");
    write_image(&jpg, 20, 12, 1);
    let joints = bytes_of(&fixtures().join("lsp/joints.mat"));
    let mut plain = vec![
        ("README.md".to_string(), b"Leeds Sports Pose".to_vec()),
        ("joints.mat".into(), joints.clone()),
    ];
    for i in 1..=5 {
        plain.push((format!("images/im{i:04}.jpg"), bytes_of(&jpg)));
        plain.push((format!("visualized/im{i:04}.jpg"), bytes_of(&jpg)));
    }
    let (_, root, _, _) = fetch_served(
        "lsp",
        "LiuRunky/Leeds_Sports_Pose",
        plain.clone(),
        tmp.path(),
    );
    let want = [("train".to_string(), 3), ("test".to_string(), 2)];
    assert_eq!(split_counts("lsp", &root), want);
    let zipped = tmp.path().join("lsp_dataset.zip");
    let entries: Vec<(&str, &[u8])> = plain[1..]
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    zip_with(&zipped, &entries);
    let tmp2 = tempfile::tempdir().unwrap();
    let (report, root, _, _) = fetch_served(
        "lsp",
        "LiuRunky/Leeds_Sports_Pose",
        vec![("lsp_dataset.zip".into(), bytes_of(&zipped))],
        tmp2.path(),
    );
    assert_eq!(report.archives, 1);
    assert_eq!(split_counts("lsp", &root), want);
}
