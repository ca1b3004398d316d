//! Bad input, loader by loader: each case is an error naming the file and the problem, never a panic.
//! Every test builds its broken data itself (issue 20 will gather these into a CLI corpus).

mod common;

use common::*;
use sslinv_datasets::binfmt::{read_mat, read_npy};
use sslinv_datasets::{Split, open};

/// A Flowers102 root with six images and the given `.mat` files.
fn flowers_root(labels: &[u8], setid: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for i in 1..=6 {
        write_image(&dir.path().join(format!("jpg/image_{i:05}.jpg")), 4, 4, 0);
    }
    std::fs::write(dir.path().join("imagelabels.mat"), labels).unwrap();
    std::fs::write(dir.path().join("setid.mat"), setid).unwrap();
    dir
}

use sslinv_testkit::mat_v5 as mat;

fn good_setid() -> Vec<u8> {
    mat(&[
        ("trnid", &[1, 2], &[1.0, 2.0]),
        ("valid", &[1, 2], &[3.0, 4.0]),
        ("tstid", &[1, 2], &[5.0, 6.0]),
    ])
}

#[test]
fn the_test_mat_writer_is_read_back() {
    let labels = mat(&[("labels", &[1, 6], &[3.0, 1.0, 2.0, 3.0, 1.0, 102.0])]);
    let dir = flowers_root(&labels, &good_setid());
    let set = open("flowers102", dir.path(), Split::Test).unwrap();
    assert_eq!(set.len(), 2);
    assert_eq!(set.targets().len(), 2);
}

#[test]
fn mat_with_wrong_variable_names_says_which_it_has() {
    let labels = mat(&[("label", &[1, 6], &[1.0; 6])]);
    let dir = flowers_root(&labels, &good_setid());
    let err = open_err("flowers102", dir.path(), Split::Train);
    assert_names(
        &err,
        &["imagelabels.mat", "no variable `labels` (it has: label)"],
    );
    let labels = mat(&[("labels", &[1, 6], &[1.0; 6])]);
    let setid = mat(&[("trainid", &[1, 2], &[1.0, 2.0])]);
    let dir = flowers_root(&labels, &setid);
    let err = open_err("flowers102", dir.path(), Split::Train);
    assert_names(
        &err,
        &["setid.mat", "no variable `trnid` (it has: trainid)"],
    );
}

#[test]
fn mat_with_wrong_shapes_names_the_variable_and_shape() {
    let labels = mat(&[("labels", &[2, 3], &[1.0; 6])]);
    let dir = flowers_root(&labels, &good_setid());
    let err = open_err("flowers102", dir.path(), Split::Val);
    assert_names(&err, &["imagelabels.mat", "`labels` has shape [2, 3]"]);

    let dir = tempfile::tempdir().unwrap();
    for i in 1..=2 {
        write_image(&dir.path().join(format!("images/im{i:04}.jpg")), 8, 8, 0);
    }
    // x, y only (no visibility row): 2 x 14 x 2.
    write_mat(
        &dir.path().join("joints.mat"),
        &[("joints", &[2, 14, 2], &[1.0; 56])],
    );
    let err = open_err("lsp", dir.path(), Split::All);
    assert_names(&err, &["joints.mat", "[2, 14, 2]", "want [3, 14, N]"]);
}

#[test]
fn mat_v73_hdf5_is_refused_clearly() {
    // MATLAB 7.3 files: a 128-byte MAT header (version 0x0200) in a 512-byte HDF5 user block.
    let bytes = sslinv_testkit::mat_v73_header();
    let dir = flowers_root(&bytes, &good_setid());
    let err = open_err("flowers102", dir.path(), Split::Train);
    assert_names(&err, &["imagelabels.mat", "MAT v7.3 file (HDF5)", "-v7"]);
}

#[test]
fn truncated_or_foreign_mat_files_are_errors_at_every_length() {
    let whole = std::fs::read(fixtures().join("lsp/joints.mat")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("joints.mat");
    for len in 0..whole.len() {
        std::fs::write(&p, &whole[..len]).unwrap();
        if let Ok(a) = read_mat(&p, "joints") {
            // Only a cut inside trailing padding could still parse, and then it must be whole.
            assert_eq!(a.values.len(), 3 * 14 * 5, "cut at {len}");
        }
    }
    std::fs::write(&p, b"%% a text file, not a MAT file").unwrap();
    let err = read_mat(&p, "joints").unwrap_err().to_string();
    assert_names(&err, &["joints.mat", "too short"]);
    std::fs::write(&p, [b'x'; 200]).unwrap();
    let err = read_mat(&p, "joints").unwrap_err().to_string();
    assert_names(&err, &["joints.mat", "not a MAT file"]);
}

fn w300_root(points: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["01_Indoor", "02_Outdoor"] {
        write_image(&dir.path().join(format!("{sub}/a.png")), 40, 30, 0);
        let pts: Vec<[f64; 2]> = (0..68).map(|k| [k as f64 * 0.5, k as f64 * 0.3]).collect();
        write_pts(&dir.path().join(format!("{sub}/a.pts")), &pts);
    }
    std::fs::write(dir.path().join("02_Outdoor/a.pts"), points).unwrap();
    dir
}

#[test]
fn pts_with_67_points_or_garbage_is_an_error_naming_the_file() {
    let mut s = String::from("version: 1\nn_points: 67\n{\n");
    for k in 0..67 {
        s.push_str(&format!("{k} {k}\n"));
    }
    s.push_str("}\n");
    let declared_68 = s.replace("n_points: 67", "n_points: 68");
    for (text, names) in [
        (s.as_str(), ["02_Outdoor/a.pts", "67 points, want 68"]),
        (
            &declared_68,
            ["a.pts", "n_points is 68 but 67 points follow"],
        ),
        (
            "version: 1\nn_points: 68\n{\n1.0 two\n}\n",
            ["a.pts:4", "y is not a number"],
        ),
        (
            "<html>not landmarks</html>\n",
            ["a.pts:1", "unexpected line before `{`"],
        ),
        (
            "version: 1\nn_points: 68\n{\n1 2\n",
            ["a.pts", "no closing `}`"],
        ),
    ] {
        let dir = w300_root(text);
        assert_names(&open_err("300w", dir.path(), Split::All), &names);
    }
    let root = w300_root("");
    std::fs::write(
        root.path().join("02_Outdoor/a.pts"),
        [0xff, 0xfe, 0x00, 0x81],
    )
    .unwrap();
    let err = open_err("300w", root.path(), Split::All);
    assert_names(&err, &["a.pts", "not UTF-8"]);
}

#[test]
fn cifar_batch_cut_short_is_an_error_at_every_length() {
    let whole = std::fs::read(fixtures().join("cifar-10-batches-py/test_batch")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let batches = dir.path().join("cifar-10-batches-py");
    std::fs::create_dir_all(&batches).unwrap();
    let p = batches.join("test_batch");
    for len in (0..whole.len()).step_by(7).chain([whole.len() - 1]) {
        std::fs::write(&p, &whole[..len]).unwrap();
        let err = open_err("cifar10", dir.path(), Split::Test);
        assert!(err.contains("test_batch"), "cut at {len}: {err}");
    }
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_with_a_missing_column_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let shard = dir.path().join("plain_text/train-00000-of-00001.parquet");
    write_image_parquet(&shard, &["img"], &[vec![Some(png_bytes(32, 32, 0))]]);
    let err = open_err("cifar10", dir.path(), Split::Train);
    assert_names(
        &err,
        &[
            "train-00000-of-00001.parquet",
            "no column `label` (it has: img)",
        ],
    );
    write_image_parquet(&shard, &["picture"], &[vec![Some(png_bytes(32, 32, 0))]]);
    let err = open_err("cifar10", dir.path(), Split::Train);
    assert_names(&err, &["no column `img` or `image` (it has: picture)"]);
}

#[test]
fn causal3dident_latents_with_a_different_row_count_name_the_npy() {
    let dir = tempfile::tempdir().unwrap();
    for c in 0..7 {
        let d = dir.path().join(format!("trainset/images_{c}"));
        for i in 0..3 {
            write_image(&d.join(format!("{i:06}.png")), 4, 4, 0);
        }
        // The fixtures hold 2 rows per class; the folders here hold 3 images.
        copy_fixture(
            &format!("causal3dident/trainset/latents_{c}.npy"),
            &dir.path().join(format!("trainset/latents_{c}.npy")),
        );
    }
    let err = open_err("causal3dident", dir.path(), Split::Train);
    assert_names(
        &err,
        &["latents_0.npy", "shape [2, 10], want [3, 10]", "images_0"],
    );
    // A truncated .npy is an error naming it too.
    let p = dir.path().join("trainset/latents_0.npy");
    let whole = std::fs::read(&p).unwrap();
    for len in [0, 10, whole.len() / 2, whole.len() - 1] {
        std::fs::write(&p, &whole[..len]).unwrap();
        let err = read_npy(&p).unwrap_err().to_string();
        assert!(err.contains("latents_0.npy"), "cut at {len}: {err}");
    }
}

#[test]
fn an_empty_class_folder_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    write_image(&dir.path().join("val/n01/a.JPEG"), 4, 4, 0);
    std::fs::create_dir_all(dir.path().join("val/n02")).unwrap();
    write_text(&dir.path().join("val/n02/readme.txt"), "no images here");
    let err = open_err("imagenet", dir.path(), Split::Val);
    assert_names(&err, &["val/n02", "class folder holds no images"]);
    let dir = tempfile::tempdir().unwrap();
    write_image(
        &dir.path()
            .join("101_ObjectCategories/accordion/image_0001.jpg"),
        4,
        4,
        0,
    );
    std::fs::create_dir_all(dir.path().join("101_ObjectCategories/anchor")).unwrap();
    let err = open_err("caltech101", dir.path(), Split::Train);
    assert_names(&err, &["101_ObjectCategories/anchor", "holds no images"]);
}
