//! Images: broken, hostile and awkward-but-valid files through `augment`, `features`,
//! `invariance views` / `synthetic` and `downstream --dataset folder`.

use std::path::{Path, PathBuf};

use super::files::*;
use super::harness::*;
use sslinv_testkit::cli;

const MODEL: &str = "random:resnet18:seed=0:width=0.125:stem=cifar";

fn augment(d: &CaseDir, input: &Path) -> (Vec<std::ffi::OsString>, PathBuf) {
    let out = d.out("o.png");
    (
        cli!("augment --op hflip --input {} --output {}", input, &out),
        out,
    )
}

/// `in/imgs`: three good images and `bad` (written as `bad_name`).
fn image_folder(d: &CaseDir, bad_name: &str, bad: &[u8]) -> PathBuf {
    for i in 0..3 {
        d.file(&format!("imgs/ok{i}.png"), &png(24, 20));
    }
    d.file(&format!("imgs/{bad_name}"), bad);
    d.input.join("imgs")
}

/// `features` over a folder of good images plus `bad` (written as `bad_name`).
fn features(d: &CaseDir, bad_name: &str, bad: &[u8]) -> (Vec<std::ffi::OsString>, PathBuf) {
    let out = d.out("f.safetensors");
    (
        features_args(MODEL, &image_folder(d, bad_name, bad), &out),
        out,
    )
}

/// An augment run on one image that must succeed: the output's size is checked.
fn augment_ok(
    root: &Path,
    name: &'static str,
    bytes: &[u8],
    check: fn(&Path) -> Result<(), String>,
) -> Case {
    let d = CaseDir::new(root, name);
    let input = d.file("in.png", bytes);
    let (args, out) = augment(&d, &input);
    Case {
        name,
        args,
        out,
        expect: Expect::Succeeds { check },
    }
}

fn rgb_of(out: &Path) -> Result<image::RgbImage, String> {
    let img = image::open(out).map_err(|e| format!("output {}: {e}", out.display()))?;
    match img {
        image::DynamicImage::ImageRgb8(i) => Ok(i),
        other => Err(format!("output is {:?}, not 8-bit RGB", other.color())),
    }
}

pub fn cases(root: &Path) -> Vec<Case> {
    let mut v = Vec::new();
    let whole_png = png(40, 30);
    let whole_jpeg = jpeg(40, 30);

    // One broken file through `augment` alone, then inside a folder of good images through
    // `features`: (file name, bytes, case name, names the error must hold, problem).
    type Row<'a> = (&'a str, Vec<u8>, &'static str, &'a [&'a str], &'static str);
    let single: Vec<Row> = vec![
        (
            "cut.png",
            whole_png[..whole_png.len() / 2].to_vec(),
            "truncated PNG (augment)",
            &["cut.png"],
            "end of file",
        ),
        (
            "cut.jpg",
            whole_jpeg[..whole_jpeg.len() / 2].to_vec(),
            "truncated JPEG (augment)",
            &["cut.jpg"],
            "decod",
        ),
        (
            "empty.png",
            Vec::new(),
            "zero-byte .png (augment)",
            &["empty.png"],
            "empty",
        ),
        (
            "notes.png",
            b"these are my notes, not a picture\n".to_vec(),
            "text named .png (augment)",
            &["notes.png"],
            "signature",
        ),
        (
            "bomb.png",
            bomb_png(20_000, 20_000),
            "20000 x 20000 PNG header (augment)",
            &["bomb.png", "20000 x 20000"],
            "pixel limit",
        ),
    ];
    for (file, bytes, name, names, problem) in single {
        push_fails(&mut v, root, name, names, problem, |d| {
            augment(d, &d.file(file, &bytes))
        });
    }
    let in_folder: Vec<Row> = vec![
        (
            "bomb.jpg",
            bomb_jpeg(20_000, 20_000),
            "20000 x 20000 JPEG header in a folder (features)",
            &["bomb.jpg", "20000 x 20000"],
            "pixel limit",
        ),
        (
            "cut.jpg",
            whole_jpeg[..whole_jpeg.len() / 3].to_vec(),
            "truncated JPEG in a folder (features)",
            &["cut.jpg"],
            "decod",
        ),
        (
            "empty.png",
            Vec::new(),
            "zero-byte .png in a folder (features)",
            &["empty.png"],
            "empty",
        ),
    ];
    for (file, bytes, name, names, problem) in in_folder {
        push_fails(&mut v, root, name, names, problem, |d| {
            features(d, file, &bytes)
        });
    }

    push_fails(
        &mut v,
        root,
        "text named .png (invariance views)",
        &["notes.png"],
        "signature",
        |d| {
            let p = d.file("notes.png", b"<html>not an image</html>");
            let o = d.out("views");
            let a = cli!(
                "invariance views --transform rotation --k 2 --image {} --out {}",
                &p,
                &o
            );
            (a, o)
        },
    );
    push_fails(
        &mut v,
        root,
        "truncated PNG in a folder (invariance synthetic)",
        &["cut.png"],
        "decod",
        |d| {
            let imgs = image_folder(d, "cut.png", &whole_png[..whole_png.len() - 20]);
            let o = d.out("inv.json");
            let a = cli!(
                "invariance synthetic --model {} --transform hflip --images {} --resize 32 --crop 32 --out {}",
                MODEL,
                imgs,
                &o
            );
            (a, o)
        },
    );
    push_fails(
        &mut v,
        root,
        "truncated JPEG in an ImageFolder (downstream)",
        &["cut.jpg"],
        "decod",
        |d| {
            for c in 0..2 {
                for i in 0..4 {
                    d.file(&format!("ds/train/c{c}/{i}.png"), &png(24, 20));
                    d.file(&format!("ds/test/c{c}/{i}.png"), &png(24, 20));
                }
            }
            d.file("ds/train/c1/cut.jpg", &whole_jpeg[..whole_jpeg.len() / 2]);
            let o = d.out("ds.json");
            let a = cli!(
                "downstream --model {} --dataset folder --root {} --resize 32 --crop 32 --folds 2 --out {}",
                MODEL,
                d.input.join("ds"),
                &o
            );
            (a, o)
        },
    );

    // Valid but awkward: these are converted to 8-bit RGB and processed: (case name, bytes,
    // what the output must be).
    type Check = fn(&Path) -> Result<(), String>;
    let awkward: [(&'static str, Vec<u8>, Check); 4] = [
        ("1x1 PNG (augment succeeds, 1 x 1 out)", png(1, 1), |o| {
            let img = rgb_of(o)?;
            (img.dimensions() == (1, 1))
                .then_some(())
                .ok_or(format!("{:?}", img.dimensions()))
        }),
        (
            "16-bit PNG (augment converts to 8 bits)",
            png16(5, 4),
            |o| {
                let img = rgb_of(o)?;
                // hflip: x = 4 lands at 0; 16 bits scale to 8 by /257.
                let p = img.get_pixel(0, 1).0;
                let want = [16000.0 / 257.0, 4000.0 / 257.0, 60000.0 / 257.0];
                (p.iter()
                    .zip(want)
                    .all(|(&a, b): (&u8, f64)| (a as f64 - b).abs() <= 1.0))
                .then_some(())
                .ok_or(format!("pixel {p:?}"))
            },
        ),
        (
            "greyscale PNG (augment converts to RGB)",
            grey_png(6, 3),
            |o| {
                let img = rgb_of(o)?;
                let p = img.get_pixel(0, 2).0;
                (p == [42, 42, 42])
                    .then_some(())
                    .ok_or(format!("pixel {p:?}"))
            },
        ),
        (
            "CMYK JPEG (augment converts to RGB)",
            cmyk_jpeg([0, 255, 255, 255]),
            |o| {
                // Adobe's inverted CMYK: full cyan ink, no black = RGB (0, 255, 255), as Pillow reads it.
                let img = rgb_of(o)?;
                let p = img.get_pixel(3, 3).0;
                (img.dimensions() == (8, 8) && p[0] < 8 && p[1] > 247 && p[2] > 247)
                    .then_some(())
                    .ok_or(format!("{:?} pixel {p:?}", img.dimensions()))
            },
        ),
    ];
    for (name, bytes, check) in awkward {
        v.push(augment_ok(root, name, &bytes, check));
    }
    let d = CaseDir::new(root, "1x1_features");
    let (a, o) = features(&d, "tiny.png", &png(1, 1));
    v.push(Case {
        name: "1x1 PNG in a folder (features succeeds: resized up)",
        args: a,
        out: o,
        expect: Expect::Succeeds {
            check: |o| o.is_file().then_some(()).ok_or("no features file".into()),
        },
    });
    v
}
