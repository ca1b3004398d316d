//! 300W, CelebA, LSP and Causal3DIdent: crops, target conventions, splits and annotation errors.

mod common;

use common::*;
use sslinv_datasets::{Split, Target, TargetKind, open, splits::seeded_permutation};

fn face_points(dx: f64, dy: f64) -> Vec<[f64; 2]> {
    // 68 points spanning x in [dx, dx + 33.5], y in [dy, dy + 20.2].
    (0..68)
        .map(|k| {
            [
                dx + (k % 34) as f64 * 33.5 / 33.0,
                dy + (k / 34) as f64 * 20.2,
            ]
        })
        .collect()
}

fn values(t: Target) -> Vec<f32> {
    match t {
        Target::Values(v) => v,
        other => panic!("not a regression target: {other:?}"),
    }
}

#[test]
fn w300_crops_the_landmark_square_and_scales_points_to_224() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_image(&root.join("01_Indoor/indoor_001.png"), 60, 50, 10);
    write_pts(
        &root.join("01_Indoor/indoor_001.pts"),
        &face_points(10.25, 5.5),
    );
    write_image(&root.join("02_Outdoor/outdoor_001.png"), 40, 40, 20);
    write_pts(
        &root.join("02_Outdoor/outdoor_001.pts"),
        &face_points(20.0, 30.0),
    );
    let all = open("300w", root, Split::All).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all.target_kind(), TargetKind::Regression { dim: 136 });
    // Box width 33.5 -> ceil 34 (height ceil(20.2) = 21): side 34, anchored at round(10.25), round(5.5) = 10, 6.
    let img = all.image(0).unwrap();
    assert_eq!(img.dimensions(), (34, 34));
    assert_eq!(
        img.get_pixel(0, 0).0,
        pattern(60, 50, 10).get_pixel(10, 6).0
    );
    let t = values(all.target(0));
    assert!((t[0] - 0.0).abs() < 1e-5 && (t[1] - 0.0).abs() < 1e-5);
    let last = face_points(10.25, 5.5)[67];
    assert!((t[134] - ((last[0] - 10.25) / 34.0 * 224.0) as f32).abs() < 1e-4);
    assert!((t[135] - ((last[1] - 5.5) / 34.0 * 224.0) as f32).abs() < 1e-4);
    // The second face's square reaches past the image bottom: black there.
    let img = all.image(1).unwrap();
    assert_eq!(img.get_pixel(0, 33).0, [0, 0, 0]);
    // Splits partition the images at int(2 * 0.3) = 0 and int(2 * 0.6) = 1.
    let sizes: Vec<usize> = [Split::Train, Split::Val, Split::Test]
        .iter()
        .map(|&s| open("300w", root, s).unwrap().len())
        .collect();
    assert_eq!(sizes, vec![0, 1, 1]);
}

#[test]
fn w300_malformed_pts_line_is_reported_with_its_number() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_image(&root.join("01_Indoor/indoor_001.png"), 60, 50, 10);
    std::fs::create_dir_all(root.join("02_Outdoor")).unwrap();
    let mut pts = face_points(1.0, 1.0);
    pts.truncate(68);
    write_pts(&root.join("01_Indoor/indoor_001.pts"), &pts);
    let path = root.join("01_Indoor/indoor_001.pts");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replacen("1 1\n", "1 one\n", 1);
    std::fs::write(&path, text).unwrap();
    let err = open("300w", root, Split::All).err().unwrap().to_string();
    assert!(err.contains("indoor_001.pts:4"), "{err}");
    // A missing .pts is named too.
    std::fs::remove_file(&path).unwrap();
    let err = open("300w", root, Split::All).err().unwrap().to_string();
    assert!(err.contains("indoor_001"), "{err}");
}

fn celeba_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for i in 1..=3 {
        write_image(
            &root.join(format!("img_align_celeba/{i:06}.jpg")),
            178,
            218,
            i as u8,
        );
    }
    write_text(
        &root.join("list_landmarks_align_celeba.txt"),
        "3\nlefteye_x lefteye_y righteye_x righteye_y nose_x nose_y leftmouth_x leftmouth_y rightmouth_x rightmouth_y\n\
         000001.jpg 69  109  106  113   77  142   73  152  108  154\n\
         000002.jpg 69  110  107  112   81  135   70  151  108  153\n\
         000003.jpg 76  112  104  106  108  128   74  156   98  158\n",
    );
    write_text(
        &root.join("list_eval_partition.txt"),
        "000001.jpg 0\n000002.jpg 2\n000003.jpg 0\n",
    );
    dir
}

#[test]
fn celeba_maps_aligned_landmarks_to_the_224_frame() {
    let root = celeba_root();
    let train = open("celeba", root.path(), Split::Train).unwrap();
    assert_eq!(train.len(), 2);
    assert_eq!(train.target_kind(), TargetKind::Regression { dim: 10 });
    let t = values(train.target(1));
    // x' = x / 178 * 224, y' = (y - 20) / 178 * 224 (the paper's resize 224 + centre crop of 178 x 218).
    assert!((t[0] - 76.0 / 178.0 * 224.0).abs() < 1e-4);
    assert!((t[1] - (112.0 - 20.0) / 178.0 * 224.0).abs() < 1e-4);
    assert!((t[9] - (158.0 - 20.0) / 178.0 * 224.0).abs() < 1e-4);
    assert_eq!(train.image(0).unwrap().dimensions(), (178, 218));
    assert_eq!(open("celeba", root.path(), Split::Test).unwrap().len(), 1);
    assert_eq!(open("celeba", root.path(), Split::Val).unwrap().len(), 0);
}

#[test]
fn celeba_malformed_annotation_lines_name_file_and_line() {
    let root = celeba_root();
    let lm = root.path().join("list_landmarks_align_celeba.txt");
    let text = std::fs::read_to_string(&lm)
        .unwrap()
        .replace("104  106", "104");
    std::fs::write(&lm, text).unwrap();
    let err = open_err("celeba", root.path(), Split::Train);
    assert!(err.contains("list_landmarks_align_celeba.txt:5"), "{err}");
    let root = celeba_root();
    write_text(
        &root.path().join("list_eval_partition.txt"),
        "000001.jpg 0\n000002.jpg 7\n",
    );
    let err = open_err("celeba", root.path(), Split::Train);
    assert!(err.contains("list_eval_partition.txt:2"), "{err}");
}

#[test]
fn lsp_centre_square_joints_and_seeded_split() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_fixture("lsp/joints.mat", &root.join("joints.mat"));
    let sizes = [(30u32, 20u32), (20, 30), (25, 25), (41, 20), (20, 41)];
    for (i, &(w, h)) in sizes.iter().enumerate() {
        write_image(
            &root.join(format!("images/im{:04}.jpg", i + 1)),
            w,
            h,
            i as u8,
        );
    }
    let all = open("lsp", root, Split::All).unwrap();
    assert_eq!(all.target_kind(), TargetKind::Regression { dim: 28 });
    for (i, &(w, h)) in sizes.iter().enumerate() {
        let side = w.min(h);
        let (left, top) = ((w - side) / 2, (h - side) / 2);
        assert_eq!(all.image(i).unwrap().dimensions(), (side, side));
        let t = values(all.target(i));
        for k in [0usize, 13] {
            // joints.mat (scripts/reference/datasets.py): x = 10 + 2k + i + 0.5, y = 5 + k + 3i + 0.25.
            let x = 10.0 + 2.0 * k as f64 + i as f64 + 0.5;
            let y = 5.0 + k as f64 + 3.0 * i as f64 + 0.25;
            assert!(
                (t[2 * k] as f64 - (x - left as f64) / side as f64 * 224.0).abs() < 1e-3,
                "image {i} joint {k}"
            );
            assert!(
                (t[2 * k + 1] as f64 - (y - top as f64) / side as f64 * 224.0).abs() < 1e-3,
                "image {i} joint {k}"
            );
        }
    }
    // 5 images: not the paper's 2000, so a ChaCha8 permutation cut int(5 * 0.6) = 3 / 2.
    let perm = seeded_permutation(5, 0);
    let train = open("lsp", root, Split::Train).unwrap();
    let test = open("lsp", root, Split::Test).unwrap();
    assert_eq!((train.len(), test.len()), (3, 2));
    assert_eq!(train.target(0), all.target(perm[0]));
    assert_eq!(test.target(1), all.target(perm[4]));
    // A joints.mat for the wrong number of images is an error naming it.
    std::fs::remove_file(root.join("images/im0005.jpg")).unwrap();
    let err = open("lsp", root, Split::All).err().unwrap().to_string();
    assert!(err.contains("joints.mat"), "{err}");
}

#[test]
fn causal3dident_latents_follow_image_folder_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for c in 0..7 {
        let d = root.join(format!("trainset/images_{c}"));
        write_image(&d.join("000001.png"), 6, 6, c as u8);
        write_image(&d.join("000000.png"), 6, 6, c as u8);
        copy_fixture(
            &format!("causal3dident/trainset/latents_{c}.npy"),
            &root.join(format!("trainset/latents_{c}.npy")),
        );
    }
    let ds = open("causal3dident", root, Split::Train).unwrap();
    assert_eq!(ds.len(), 14);
    assert_eq!(ds.target_kind(), TargetKind::Regression { dim: 10 });
    // Row r of latents_c: c + 0.5 r + 0.01 k.
    let t = values(ds.target(5));
    assert!((t[3] - (2.0 + 0.5 + 0.03)).abs() < 1e-6, "{t:?}");
    let classes = open("causal3dident-class", root, Split::Train).unwrap();
    assert_eq!(classes.target(5), Target::Class(2));
    // One row too few for a class folder: the .npy is named.
    std::fs::remove_file(root.join("trainset/images_3/000001.png")).unwrap();
    write_image(&root.join("trainset/images_4/000002.png"), 6, 6, 0);
    let err = open_err("causal3dident", root, Split::Train);
    assert!(err.contains("latents_3.npy"), "{err}");
}

#[test]
fn w300_matches_torchvision_crop_on_pil() {
    // scripts/reference/datasets.py: torchvision's crop with the float landmark-box corner (PIL rounds
    // each edge: 7.5 -> 8 but 38.5 -> 38, so the first crop is 30 x 32; outside the image is black) and
    // the paper's point formula for resize(224) + centre-crop(224) of it.
    let root = fixtures().join("300w");
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("expected.json")).unwrap())
            .unwrap();
    let all = open("300w", &root, Split::All).unwrap();
    assert_eq!(all.len(), 2);
    for (i, name) in ["01_Indoor/indoor_001", "02_Outdoor/outdoor_001"]
        .iter()
        .enumerate()
    {
        let e = &expected[*name];
        let img = all.image(i).unwrap();
        let (w, h) = (
            e["width"].as_u64().unwrap() as u32,
            e["height"].as_u64().unwrap() as u32,
        );
        assert_eq!(img.dimensions(), (w, h), "{name}");
        let sum: u64 = img.as_raw().iter().map(|&v| v as u64).sum();
        assert_eq!(
            sum,
            e["crop_sum"].as_u64().unwrap(),
            "{name}: crop pixels differ from PIL's"
        );
        let corner =
            |v: &serde_json::Value| -> [u8; 3] { [0, 1, 2].map(|c| v[c].as_u64().unwrap() as u8) };
        assert_eq!(
            img.get_pixel(0, 0).0,
            corner(&e["crop_corners"][0]),
            "{name}"
        );
        assert_eq!(
            img.get_pixel(w - 1, h - 1).0,
            corner(&e["crop_corners"][1]),
            "{name}"
        );
        let t = values(all.target(i));
        let want: Vec<f64> = serde_json::from_value(e["targets"].clone()).unwrap();
        assert_eq!(t.len(), want.len());
        for (k, (a, b)) in t.iter().zip(&want).enumerate() {
            assert!(
                (*a as f64 - b).abs() < 1e-3,
                "{name} target {k}: {a} vs {b}"
            );
        }
    }
}
