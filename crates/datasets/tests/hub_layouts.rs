//! The Hub copies in the layouts `fetch` brings: COIL-100 nested in `data/data_N/`, Flickr1024 as
//! parquet shards with `left_image` / `right_image` cells, counted by `check` and loaded.

mod common;

use std::path::Path;

use common::*;
use sslinv_datasets::{CheckOptions, open_views};

/// COIL-100 as `Voxel51/COIL-100` holds it under `data/` (which `fetch` puts in `coil-100/`): the
/// 7,200 views in chunks of 500 files, in object then angle order, in `data_0 .. data_14`.
fn coil_hub_root(root: &Path) {
    let png = png_bytes(4, 4, 9);
    let mut k = 0;
    for obj in 1..=100 {
        for view in 0..72 {
            let p = root.join(format!(
                "coil-100/data_{}/obj{obj}__{}.png",
                k / 500,
                view * 5
            ));
            if k % 500 == 0 {
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            }
            std::fs::write(&p, &png).unwrap();
            k += 1;
        }
    }
}

#[test]
fn coil100_hub_layout_counts_100_objects_by_72_views() {
    let dir = tempfile::tempdir().unwrap();
    coil_hub_root(dir.path());
    assert!(
        dir.path()
            .join("coil-100/data_14/obj100__355.png")
            .is_file()
    );
    let report = sslinv_datasets::check(
        "coil-100",
        dir.path(),
        CheckOptions {
            decode: true,
            limit: Some(8),
        },
    )
    .unwrap();
    let g = report.groups.unwrap();
    assert_eq!(
        (g.count, g.images, g.min_size, g.max_size),
        (100, 7200, 72, 72)
    );
    assert_eq!(report.decoded, 8);
    assert!(report.unreadable.is_empty() && report.errors.is_empty());
    let groups = open_views("coil100", dir.path()).unwrap();
    assert_eq!(groups.groups[0].id, "obj1");
    assert_eq!(groups.groups[99].id, "obj100");
    // Views in angle order across the chunk folders (obj7 straddles data_0 and data_1).
    let angles: Vec<String> = groups.groups[6]
        .paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(angles[..3], ["obj7__0.png", "obj7__5.png", "obj7__10.png"]);
    assert_eq!(angles[71], "obj7__355.png");
    let folders: std::collections::BTreeSet<String> = groups.groups[6]
        .paths
        .iter()
        .map(|p| {
            p.parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        folders.into_iter().collect::<Vec<_>>(),
        ["data_0", "data_1"]
    );
    assert_eq!(groups.load_group(99).unwrap().len(), 72);
}

#[test]
fn coil100_duplicate_view_in_two_folders_is_an_error_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    write_image(&dir.path().join("data/data_0/obj1__0.png"), 4, 4, 0);
    write_image(&dir.path().join("data/data_0/obj1__5.png"), 4, 4, 0);
    write_image(&dir.path().join("data/data_3/obj1__5.png"), 4, 4, 0);
    let err = open_views("coil100", dir.path()).unwrap_err().to_string();
    assert_names(&err, &["data_3/obj1__5.png", "data_0/obj1__5.png"]);
    std::fs::remove_file(dir.path().join("data/data_3/obj1__5.png")).unwrap();
    write_image(&dir.path().join("data/data_3/preview.png"), 4, 4, 0);
    let err = open_views("coil100", dir.path()).unwrap_err().to_string();
    assert_names(&err, &["preview.png", "obj{N}__{angle}.png"]);
}

#[cfg(feature = "parquet")]
mod flickr {
    use super::*;
    use sslinv_datasets::views::flickr1024::{PAIRS_DIR, convert_parquet, shard_split};

    /// A pair whose left view is tagged `2 * id`, its right `2 * id + 1`.
    fn pair(id: u8) -> Vec<Option<Vec<u8>>> {
        vec![
            Some(png_bytes(5, 3, 2 * id)),
            Some(png_bytes(5, 3, 2 * id + 1)),
        ]
    }

    /// The Hub layout of `ernestchu/flickr1024` (`data/` as fetched, or kept by hand): 3 + 2 train
    /// rows over two shards, 2 validation, 1 test.
    fn hub_root(root: &Path) {
        let cols = ["left_image", "right_image"];
        let shard = |name: &str, ids: &[u8]| {
            let rows: Vec<_> = ids.iter().map(|&i| pair(i)).collect();
            write_image_parquet(&root.join("data").join(name), &cols, &rows);
        };
        shard("train-00000-of-00002.parquet", &[0, 1, 2]);
        shard("train-00001-of-00002.parquet", &[3, 4]);
        shard("validation-00000-of-00001.parquet", &[5, 6]);
        shard("test-00000-of-00001.parquet", &[7]);
    }

    fn tag(p: &Path) -> u8 {
        image::open(p).unwrap().to_rgb8().get_pixel(0, 0).0[0]
    }

    #[test]
    fn flickr1024_hub_parquet_is_converted_once_into_pairs() {
        let dir = tempfile::tempdir().unwrap();
        hub_root(dir.path());
        let report = sslinv_datasets::check(
            "flickr1024",
            dir.path(),
            CheckOptions {
                decode: true,
                limit: None,
            },
        )
        .unwrap();
        let g = report.groups.clone().unwrap();
        assert_eq!((g.count, g.images, g.min_size, g.max_size), (8, 16, 2, 2));
        assert_eq!(report.decoded, 16);
        assert!(report.ok());
        let groups = open_views("flickr1024", dir.path()).unwrap();
        let ids: Vec<&str> = groups.groups.iter().map(|g| g.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "test/0001",
                "train/0001",
                "train/0002",
                "train/0003",
                "train/0004",
                "train/0005",
                "validation/0001",
                "validation/0002"
            ]
        );
        // Row order is kept across shards: train/0004 is the first row of the second shard.
        let g = &groups.groups[4];
        assert_eq!((tag(&g.paths[0]), tag(&g.paths[1])), (6, 7));
        assert!(g.paths[0].ends_with("flickr1024-pairs/train/0004_L.png"));
        assert_eq!(groups.load_group(0).unwrap()[1].get_pixel(0, 0).0[0], 15);
        // Converted once: with the shards gone, the pairs still load.
        std::fs::remove_dir_all(dir.path().join("data")).unwrap();
        assert_eq!(open_views("flickr1024", dir.path()).unwrap().len(), 8);
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [PAIRS_DIR]);
    }

    #[test]
    fn interrupted_or_failed_conversions_leave_no_half_folder() {
        let dir = tempfile::tempdir().unwrap();
        hub_root(dir.path());
        // A dead process's leftover (pid far above pid_max) is cleaned up, and the conversion redone.
        let stale = dir.path().join(format!(".{PAIRS_DIR}.partial-4999999"));
        write_text(&stale.join("train/0001_L.png"), "half");
        assert_eq!(open_views("flickr1024", dir.path()).unwrap().len(), 8);
        assert!(!stale.exists());

        // A shard that breaks mid-way: the error names it and nothing is left behind.
        let dir = tempfile::tempdir().unwrap();
        hub_root(dir.path());
        let bad = dir.path().join("data/validation-00000-of-00001.parquet");
        std::fs::write(&bad, b"PAR1 cut short").unwrap();
        let err = open_views("flickr1024", dir.path())
            .unwrap_err()
            .to_string();
        assert!(err.contains("validation-00000-of-00001.parquet"), "{err}");
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, ["data"]);
    }

    #[test]
    fn parquet_without_a_pair_column_or_with_empty_cells_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let shard = dir.path().join("data/train-00000-of-00001.parquet");
        write_image_parquet(&shard, &["left_image", "label_image"], &[pair(0)]);
        let err = open_views("flickr1024", dir.path())
            .unwrap_err()
            .to_string();
        assert_names(
            &err,
            &[
                "train-00000-of-00001.parquet",
                "no column `right_image` (it has: left_image, label_image)",
            ],
        );
        write_image_parquet(
            &shard,
            &["left_image", "right_image"],
            &[pair(0), vec![Some(png_bytes(2, 2, 0)), None]],
        );
        let err = open_views("flickr1024", dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("row 1: `right_image` holds no image bytes"),
            "{err}"
        );
        write_image_parquet(
            &shard,
            &["left_image", "right_image"],
            &[vec![Some(png_bytes(2, 2, 0)), Some(b"GIF89a...".to_vec())]],
        );
        let err = open_views("flickr1024", dir.path())
            .unwrap_err()
            .to_string();
        assert!(err.contains("neither a PNG nor a JPEG"), "{err}");
        assert!(!dir.path().join(PAIRS_DIR).exists());
    }

    #[test]
    fn pyarrow_written_shards_convert_too() {
        // Written by `datasets` (Dataset.to_parquet with Image() features), as push_to_hub writes.
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "data/train-00000-of-00001.parquet",
            "data/validation-00000-of-00001.parquet",
        ] {
            copy_fixture(
                &format!("flickr1024-parquet/{name}"),
                &dir.path().join(name),
            );
        }
        let groups = open_views("flickr1024", dir.path()).unwrap();
        assert_eq!(groups.sizes(), [2, 2, 2]);
        let views = groups.load_group(2).unwrap();
        assert_eq!(
            (views[0].get_pixel(0, 0).0[0], views[1].get_pixel(0, 0).0[0]),
            (20, 21)
        );
    }

    #[test]
    fn shard_names_give_the_split() {
        let s = |p: &str| shard_split(Path::new(p));
        assert_eq!(s("data/train-00003-of-00005.parquet"), "train");
        assert_eq!(s("data/validation-00000-of-00001.parquet"), "validation");
        assert_eq!(s("default/test/0000.parquet"), "test");
        let dir = tempfile::tempdir().unwrap();
        let err = convert_parquet(&[], dir.path()).unwrap_err().to_string();
        assert_names(&err, &["data/*.parquet", "missing"]);
        assert!(!dir.path().join(PAIRS_DIR).exists());
    }
}
