//! Datasets in their real layouts with one broken file each, through `downstream`,
//! `invariance extrinsic` and `datasets check`.

use std::path::{Path, PathBuf};

use super::files::*;
use super::harness::*;
use sslinv_testkit::cli;

const MODEL: &str = "random:resnet18:seed=0:width=0.125:stem=cifar";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/datasets/tests/fixtures")
}

fn copy(rel: &str, dst: &Path) {
    write(dst, &std::fs::read(fixtures().join(rel)).unwrap());
}

/// `downstream` on `dataset` at `d/in/root`.
fn downstream(
    root: &Path,
    v: &mut Vec<Case>,
    name: &'static str,
    dataset: &str,
    make: impl FnOnce(&Path),
    names: &[&str],
    problem: &'static str,
) {
    let d = CaseDir::new(root, &name.replace([' ', '/', '.'], "_"));
    let data = d.input.join("root");
    make(&data);
    let o = d.out("ds.json");
    let a = cli!(
        "downstream --model {} --dataset {} --root {} --resize 32 --crop 32 --folds 2 --out {}",
        MODEL,
        dataset,
        &data,
        &o
    );
    v.push(fails(name, a, o, names, problem));
}

fn flowers(root: &Path, labels: &[u8], setid: &[u8]) {
    for i in 1..=6 {
        write(&root.join(format!("jpg/image_{i:05}.jpg")), &jpeg(8, 8));
    }
    write(&root.join("imagelabels.mat"), labels);
    write(&root.join("setid.mat"), setid);
}

fn good_setid() -> Vec<u8> {
    mat(&[
        ("trnid", &[1, 2], &[1.0, 2.0]),
        ("valid", &[1, 2], &[3.0, 4.0]),
        ("tstid", &[1, 2], &[5.0, 6.0]),
    ])
}

fn good_labels() -> Vec<u8> {
    mat(&[("labels", &[1, 6], &[1.0, 2.0, 1.0, 2.0, 1.0, 2.0])])
}

fn w300(root: &Path, pts: &str) {
    for sub in ["01_Indoor", "02_Outdoor"] {
        write(&root.join(format!("{sub}/a.png")), &png(40, 30));
        let mut s = String::from("version: 1\nn_points: 68\n{\n");
        for k in 0..68 {
            s.push_str(&format!("{} {}\n", k as f64 * 0.5, k as f64 * 0.3));
        }
        write(
            &root.join(format!("{sub}/a.pts")),
            format!("{s}}}\n").as_bytes(),
        );
    }
    write(&root.join("02_Outdoor/a.pts"), pts.as_bytes());
}

pub fn cases(root: &Path) -> Vec<Case> {
    let mut v = Vec::new();
    let wrong_name = mat(&[("label", &[1, 6], &[1.0; 6])]);
    downstream(
        root,
        &mut v,
        "flowers102 imagelabels.mat without `labels`",
        "flowers102",
        |r| flowers(r, &wrong_name, &good_setid()),
        &["imagelabels.mat", "labels"],
        "no variable",
    );
    let wrong_setid = mat(&[("trainid", &[1, 2], &[1.0, 2.0])]);
    downstream(
        root,
        &mut v,
        "flowers102 setid.mat without `trnid`",
        "flowers102",
        |r| flowers(r, &good_labels(), &wrong_setid),
        &["setid.mat", "trnid"],
        "no variable",
    );
    let wrong_shape = mat(&[("labels", &[2, 3], &[1.0; 6])]);
    downstream(
        root,
        &mut v,
        "flowers102 labels of shape 2 x 3",
        "flowers102",
        |r| flowers(r, &wrong_shape, &good_setid()),
        &["imagelabels.mat", "[2, 3]"],
        "shape",
    );
    downstream(
        root,
        &mut v,
        "flowers102 imagelabels.mat in v7.3 (HDF5)",
        "flowers102",
        |r| flowers(r, &sslinv_testkit::mat_v73_header(), &good_setid()),
        &["imagelabels.mat"],
        "v7.3",
    );
    downstream(
        root,
        &mut v,
        "flowers102 setid.mat that is text",
        "flowers102",
        |r| flowers(r, &good_labels(), b"trnid = [1 2]\n"),
        &["setid.mat"],
        "MAT file",
    );
    downstream(
        root,
        &mut v,
        "lsp joints.mat of shape 2 x 14 x 2",
        "lsp",
        |r| {
            for i in 1..=2 {
                write(&r.join(format!("images/im{i:04}.jpg")), &jpeg(8, 8));
            }
            write(
                &r.join("joints.mat"),
                &mat(&[("joints", &[2, 14, 2], &[1.0; 56])]),
            );
        },
        &["joints.mat", "[2, 14, 2]"],
        "want [3, 14, N]",
    );

    let mut pts67 = String::from("version: 1\nn_points: 67\n{\n");
    for k in 0..67 {
        pts67.push_str(&format!("{k} {k}\n"));
    }
    pts67.push_str("}\n");
    downstream(
        root,
        &mut v,
        "300w .pts with 67 points",
        "300w",
        |r| w300(r, &pts67),
        &["02_Outdoor/a.pts"],
        "67 points, want 68",
    );
    downstream(
        root,
        &mut v,
        "300w .pts with a word for a number",
        "300w",
        |r| w300(r, "version: 1\nn_points: 68\n{\n1.0 two\n}\n"),
        &["a.pts:4"],
        "not a number",
    );
    downstream(
        root,
        &mut v,
        "300w .pts that is HTML",
        "300w",
        |r| w300(r, "<html>404 not found</html>\n"),
        &["a.pts:1"],
        "unexpected line",
    );

    downstream(
        root,
        &mut v,
        "cifar10 data_batch_1 cut short",
        "cifar10",
        |r| {
            sslinv_testkit::cifar10_batches(r);
            let p = r.join("cifar-10-batches-py/data_batch_1");
            let whole = std::fs::read(&p).unwrap();
            std::fs::write(&p, &whole[..whole.len() * 2 / 3]).unwrap();
        },
        &["data_batch_1"],
        "EOF",
    );
    downstream(
        root,
        &mut v,
        "cifar10 parquet without a `label` column",
        "cifar10",
        |r| {
            // Flickr1024's shards hold left/right images and no labels.
            copy(
                "flickr1024-parquet/data/train-00000-of-00001.parquet",
                &r.join("plain_text/train-00000-of-00001.parquet"),
            );
            copy(
                "flickr1024-parquet/data/validation-00000-of-00001.parquet",
                &r.join("plain_text/test-00000-of-00001.parquet"),
            );
        },
        &["train-00000-of-00001.parquet"],
        "no column",
    );

    downstream(
        root,
        &mut v,
        "caltech101 empty class folder",
        "caltech101",
        |r| {
            for i in 1..=3 {
                write(
                    &r.join(format!("101_ObjectCategories/accordion/image_{i:04}.jpg")),
                    &jpeg(8, 8),
                );
            }
            std::fs::create_dir_all(r.join("101_ObjectCategories/anchor")).unwrap();
        },
        &["101_ObjectCategories/anchor"],
        "holds no images",
    );
    downstream(
        root,
        &mut v,
        "ImageFolder empty class folder",
        "folder",
        |r| {
            for c in ["cat", "dog"] {
                for i in 0..3 {
                    write(&r.join(format!("train/{c}/{i}.png")), &png(8, 8));
                    write(&r.join(format!("test/{c}/{i}.png")), &png(8, 8));
                }
            }
            write(&r.join("train/emu/0.png"), &png(8, 8));
            std::fs::create_dir_all(r.join("test/emu")).unwrap();
        },
        &["test/emu"],
        "holds no",
    );

    // Causal3DIdent: 3 images per class, latents with 2 rows.
    let d = CaseDir::new(root, "causal3dident_rows");
    let data = d.input.join("root");
    for c in 0..7 {
        for i in 0..3 {
            write(
                &data.join(format!("trainset/images_{c}/{i:06}.png")),
                &png(8, 8),
            );
        }
        copy(
            &format!("causal3dident/trainset/latents_{c}.npy"),
            &data.join(format!("trainset/latents_{c}.npy")),
        );
    }
    let o = d.out("ext.json");
    let a = cli!(
        "invariance extrinsic --model {} --dataset causal3dident --root {} --out {}",
        MODEL,
        &data,
        &o
    );
    v.push(fails(
        "causal3dident latents_0.npy with 2 rows for 3 images",
        a,
        o,
        &["latents_0.npy", "images_0"],
        "shape [2, 10], want [3, 10]",
    ));

    let d = CaseDir::new(root, "imagenet_empty_class");
    let data = d.input.join("root");
    write(&data.join("val/n01/a.JPEG"), &jpeg(8, 8));
    write(&data.join("val/n02/readme.txt"), b"no images here");
    let o = d.out("none");
    let a = cli!("datasets check --dataset imagenet --root {}", &data);
    v.push(fails(
        "imagenet class folder holding only a text file (datasets check)",
        a,
        o,
        &["val/n02"],
        "holds no images",
    ));
    v
}
