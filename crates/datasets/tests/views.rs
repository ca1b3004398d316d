//! View groups of the real-world invariance datasets, from tiny trees in their real layouts.

mod common;

use common::*;
use sslinv_datasets::{Split, Target, TargetKind, ViewGroups, open, open_views};

fn names(groups: &ViewGroups, g: usize) -> Vec<String> {
    groups.groups[g]
        .paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn coil100_groups_objects_with_numeric_angle_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("coil-100");
    for obj in [2, 10, 1] {
        for angle in [0, 5, 10, 355] {
            write_image(&d.join(format!("obj{obj}__{angle}.png")), 4, 4, obj as u8);
        }
    }
    let g = open_views("COIL-100", dir.path()).unwrap();
    assert_eq!(g.name, "coil100");
    assert_eq!(
        g.groups.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(),
        vec!["obj1", "obj2", "obj10"]
    );
    assert_eq!(
        names(&g, 0),
        vec![
            "obj1__0.png",
            "obj1__5.png",
            "obj1__10.png",
            "obj1__355.png"
        ]
    );
    assert_eq!(g.sizes(), vec![4, 4, 4]);
    let imgs = g.load_group(1).unwrap();
    assert_eq!(imgs.len(), 4);
    assert_eq!(imgs[0].get_pixel(0, 0).0[0], 2);
    // As a dataset: group ids as targets and index groups.
    let ds = open("coil100", dir.path(), Split::All).unwrap();
    assert_eq!(ds.len(), 12);
    assert_eq!(ds.target_kind(), TargetKind::Groups { count: 3 });
    assert_eq!(ds.target(5), Target::Group(1));
    assert_eq!(ds.groups()[2], vec![8, 9, 10, 11]);
    // A stray file with another name is an error naming it.
    write_image(&d.join("thumbnail.png"), 2, 2, 0);
    let err = open_views("coil100", dir.path()).err().unwrap().to_string();
    assert!(err.contains("thumbnail.png"), "{err}");
}

#[test]
fn aloi_modes_group_by_object_and_camera() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    for obj in [1, 2] {
        for a in [0, 5, 10] {
            write_image(&r.join(format!("viewpoint/{obj}/{obj}_r{a}.png")), 3, 3, 0);
        }
        for l in 1..=8 {
            for c in 1..=3 {
                write_image(
                    &r.join(format!("illumination/{obj}/{obj}_l{l}c{c}.png")),
                    3,
                    3,
                    0,
                );
            }
        }
        for t in [110, 120, 130] {
            write_image(
                &r.join(format!("temperature/{obj}/{obj}_i{t}.png")),
                3,
                3,
                0,
            );
        }
    }
    let v = open_views("aloi-viewpoint", r).unwrap();
    assert_eq!((v.len(), v.sizes()), (2, vec![3, 3]));
    assert_eq!(v.groups[1].id, "2");
    let i = open_views("aloi_illumination", r).unwrap();
    assert_eq!(i.len(), 6);
    assert!(i.sizes().iter().all(|&s| s == 8));
    assert_eq!(i.groups[4].id, "2/c2");
    assert!(names(&i, 4).iter().all(|n| n.ends_with("c2.png")));
    let t = open_views("aloi-temperature", r).unwrap();
    assert_eq!(t.sizes(), vec![3, 3]);
}

#[test]
fn alot_settings_pick_the_right_images() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    for c in 1..=4 {
        for l in 1..=8 {
            write_image(&r.join(format!("1/1_c{c}l{l}.png")), 2, 2, 0);
        }
        write_image(&r.join(format!("1/1_c{c}l8i.png")), 2, 2, 0);
        write_image(&r.join(format!("1/1_c{c}l1r60.png")), 2, 2, 0);
    }
    // viewpoint: object x light in {1,2,3,4,5,8}; light 1 also has the rotated views.
    let v = open_views("alot-viewpoint", r).unwrap();
    assert_eq!(v.len(), 6);
    assert_eq!(v.sizes()[0], 8);
    assert_eq!(v.sizes()[1], 4);
    // illumination: object x camera x rotation, no reddish images.
    let i = open_views("alot-illumination", r).unwrap();
    assert_eq!(i.len(), 8);
    assert_eq!(i.groups[0].id, "0001/c1/r000");
    assert_eq!(i.sizes()[0], 8);
    assert_eq!(i.sizes()[1], 1);
    // temperature: object x camera, the reddish image and light 8.
    let t = open_views("alot-temperature", r).unwrap();
    assert_eq!(t.sizes(), vec![2, 2, 2, 2]);
}

#[test]
fn pairs_and_exposures() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    // Flickr1024
    for n in ["0001", "0002"] {
        write_image(&r.join(format!("flickr/Train/{n}_L.png")), 3, 3, 0);
        write_image(&r.join(format!("flickr/Train/{n}_R.png")), 3, 3, 1);
    }
    let f = open_views("flickr1024", &r.join("flickr")).unwrap();
    assert_eq!(f.sizes(), vec![2, 2]);
    assert_eq!(names(&f, 1), vec!["0002_L.png", "0002_R.png"]);
    std::fs::remove_file(r.join("flickr/Train/0002_R.png")).unwrap();
    let err = open_views("flickr1024", &r.join("flickr"))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("0002_R.png"), "{err}");
    // RealBlur: sharp first.
    let rb = r.join("realblur/RealBlur-J_ECC_IMCORR_centroid_itensity_ref/scene001");
    for k in [1, 2] {
        write_image(&rb.join(format!("gt/gt_{k}.png")), 3, 3, 0);
        write_image(&rb.join(format!("blur/blur_{k}.png")), 3, 3, 1);
    }
    let b = open_views("realblur", &r.join("realblur")).unwrap();
    assert_eq!(b.sizes(), vec![2, 2]);
    assert_eq!(names(&b, 0), vec!["gt_1.png", "blur_1.png"]);
    // ExposureErrors: ground truth then its five exposures.
    let e = r.join("exposure");
    for id in ["a0001", "a0002"] {
        write_image(&e.join(format!("GT_IMAGES/{id}-jmac_DSC1459.jpg")), 3, 3, 0);
        for ev in ["0", "N1", "N1.5", "P1", "P1.5"] {
            write_image(
                &e.join(format!("INPUT_IMAGES/{id}-jmac_DSC1459_{ev}.JPG")),
                3,
                3,
                0,
            );
        }
    }
    let x = open_views("exposure-errors", &e).unwrap();
    assert_eq!(x.sizes(), vec![6, 6]);
    assert_eq!(x.groups[0].id, "a0001");
    assert!(x.groups[0].paths[0].to_string_lossy().contains("GT_IMAGES"));
    // DaLI: numbered scene folders in numeric order.
    for scene in [2, 10] {
        for v in 0..3 {
            write_image(&r.join(format!("dali/input/png/{scene}/{v}.png")), 3, 3, 0);
        }
    }
    let d = open_views("dali", &r.join("dali")).unwrap();
    assert_eq!(
        d.groups.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(),
        vec!["2", "10"]
    );
    // An empty or wrong root says so.
    assert!(open_views("dali", &r.join("nothing")).is_err());
}
