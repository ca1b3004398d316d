//! synth3d: determinism, landmarks on the object, view groups, targets, errors and timing.

use sslinv_datasets::synth3d::{
    GroupKind, LANDMARK_DIRECTIONS, Latents, Sample, Synth3d, Synth3dConfig, Synth3dError,
    render_full,
};
use std::time::Instant;

fn tiny(seed: u64) -> Synth3dConfig {
    Synth3dConfig {
        seed,
        size: 32,
        n_pretrain: 24,
        n_train: 24,
        n_test: 12,
        n_groups: 3,
        views_per_group: 4,
    }
}

#[test]
fn same_seed_gives_identical_data_for_any_thread_count() {
    let cfg = tiny(7);
    let a = Synth3d::generate(&cfg).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let b = pool.install(|| Synth3d::generate(&cfg)).unwrap();
    assert!(a == b, "single-threaded generation differs");
    assert_eq!(a.pretrain.len(), 24);
    assert_eq!(a.train.len(), 24);
    assert_eq!(a.test.len(), 12);
    for kind in GroupKind::ALL {
        assert_eq!(a.groups(kind).len(), 3);
        assert!(a.groups(kind).iter().all(|g| g.len() == 4));
    }
    assert!(a.pretrain.iter().all(|i| i.dimensions() == (32, 32)));
}

#[test]
fn different_seeds_and_splits_differ() {
    let a = Synth3d::generate(&tiny(1)).unwrap();
    let b = Synth3d::generate(&tiny(2)).unwrap();
    let same = a
        .pretrain
        .iter()
        .zip(&b.pretrain)
        .filter(|(x, y)| x == y)
        .count();
    assert_eq!(same, 0);
    assert_ne!(a.train[0].image, a.test[0].image);
    assert_ne!(a.pretrain_latents[0], a.train[0].latents);
}

#[test]
fn visible_landmarks_lie_on_the_object() {
    let cfg = Synth3dConfig {
        seed: 3,
        size: 64,
        n_pretrain: 0,
        n_train: 240,
        n_test: 0,
        n_groups: 0,
        views_per_group: 0,
    };
    let data = Synth3d::generate(&cfg).unwrap();
    let (mut visible, mut differs) = (0usize, 0usize);
    for s in &data.train {
        let r = render_full(&s.latents, 64).unwrap();
        assert_eq!(r.image, s.image);
        // The same scene with the object moved out of the frame: only the backdrop.
        let backdrop = Synth3d::render(
            &Latents {
                pos_x: 2.0,
                ..s.latents
            },
            64,
        )
        .unwrap();
        for (k, p) in s.landmarks.iter().enumerate() {
            assert!(
                p.iter().all(|v| (-2.0..=66.0).contains(v)),
                "landmark {k} at {p:?}"
            );
            if !s.landmark_visible[k] {
                continue;
            }
            visible += 1;
            let (x, y) = (p[0].floor() as i64, p[1].floor() as i64);
            let mut on_object = false;
            let mut max_diff = 0i32;
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let (xx, yy) = (x + dx, y + dy);
                    if !(0..64).contains(&xx) || !(0..64).contains(&yy) {
                        continue;
                    }
                    on_object |= r.coverage[(yy * 64 + xx) as usize] > 0.0;
                    let (a, b) = (
                        s.image.get_pixel(xx as u32, yy as u32),
                        backdrop.get_pixel(xx as u32, yy as u32),
                    );
                    max_diff =
                        max_diff.max((0..3).map(|c| (a[c] as i32 - b[c] as i32).abs()).sum());
                }
            }
            assert!(
                on_object,
                "visible landmark {k} of {:?} is off the object",
                s.latents
            );
            differs += (max_diff > 24) as usize;
        }
    }
    let total = 8 * data.train.len();
    assert!(
        visible * 10 > total * 4,
        "only {visible} of {total} landmarks visible"
    );
    assert!(
        differs * 100 >= visible * 95,
        "{differs} of {visible} visible landmarks look like background"
    );
}

fn mask(l: &Latents) -> Vec<bool> {
    render_full(l, 48)
        .unwrap()
        .coverage
        .iter()
        .map(|&c| c > 0.5)
        .collect()
}

#[test]
fn view_groups_vary_only_their_factor() {
    let data = Synth3d::generate(&tiny(11)).unwrap();
    for kind in GroupKind::ALL {
        for (g, (ls, imgs)) in data
            .group_latents(kind)
            .iter()
            .zip(data.groups(kind))
            .enumerate()
        {
            let first = ls[0];
            for (v, (l, img)) in ls.iter().zip(imgs).enumerate() {
                assert_eq!(&Synth3d::render(l, 32).unwrap(), img);
                let fixed = match kind {
                    GroupKind::Viewpoint => Latents {
                        yaw: first.yaw,
                        ..*l
                    },
                    GroupKind::Illumination => Latents {
                        light_azimuth: first.light_azimuth,
                        ..*l
                    },
                    GroupKind::Temperature => Latents {
                        light_temperature: first.light_temperature,
                        ..*l
                    },
                };
                assert_eq!(
                    fixed, first,
                    "{kind:?} group {g} view {v} changes another factor"
                );
                if v > 0 {
                    assert_ne!(
                        img, &imgs[0],
                        "{kind:?} group {g} view {v} looks like view 0"
                    );
                }
                // Lighting sweeps keep the silhouette; viewpoint sweeps generally change it.
                if kind != GroupKind::Viewpoint {
                    assert_eq!(
                        mask(l),
                        mask(&first),
                        "{kind:?} group {g} view {v} moves the object"
                    );
                }
            }
        }
    }
}

#[test]
fn classes_have_distinct_silhouettes() {
    let masks: Vec<Vec<bool>> = (0..Latents::CLASS_COUNT as i64)
        .map(|c| mask(&Latents::reference_scene(c)))
        .collect();
    for a in 0..masks.len() {
        assert!(
            masks[a].iter().filter(|&&m| m).count() > 48 * 48 / 20,
            "class {a} is tiny"
        );
        for b in a + 1..masks.len() {
            let inter = masks[a]
                .iter()
                .zip(&masks[b])
                .filter(|(x, y)| **x && **y)
                .count();
            let union = masks[a]
                .iter()
                .zip(&masks[b])
                .filter(|(x, y)| **x || **y)
                .count();
            assert!(
                (inter as f64) < 0.9 * union as f64,
                "classes {a} and {b} overlap {inter}/{union}"
            );
        }
    }
}

#[test]
fn colour_and_light_latents_change_the_image() {
    let l = Latents::reference_scene(0);
    let base = Synth3d::render(&l, 32).unwrap();
    for changed in [
        Latents {
            object_hue: 0.1,
            ..l
        },
        Latents {
            background_hue: 0.6,
            ..l
        },
        Latents {
            light_azimuth: -0.9,
            ..l
        },
        Latents {
            light_elevation: 1.0,
            ..l
        },
        Latents {
            light_temperature: 3200.0,
            ..l
        },
        Latents { roll: -0.5, ..l },
    ] {
        let img = Synth3d::render(&changed, 32).unwrap();
        let diff: u64 = img
            .as_raw()
            .iter()
            .zip(base.as_raw())
            .map(|(a, b)| (*a as i64 - *b as i64).unsigned_abs())
            .sum();
        assert!(
            diff > 32 * 32 * 3,
            "{changed:?} barely changes the image ({diff})"
        );
    }
    let warm = Synth3d::render(
        &Latents {
            light_temperature: 3000.0,
            ..l
        },
        32,
    )
    .unwrap();
    let cold = Synth3d::render(
        &Latents {
            light_temperature: 9000.0,
            ..l
        },
        32,
    )
    .unwrap();
    let channel = |img: &image::RgbImage, c: usize| img.pixels().map(|p| p[c] as f64).sum::<f64>();
    assert!(channel(&warm, 0) / channel(&warm, 2) > channel(&cold, 0) / channel(&cold, 2) * 1.3);
}

#[test]
fn targets_have_their_documented_shapes() {
    let s = Synth3d::render_sample(&Latents::reference_scene(4), 64).unwrap();
    let lm = s.target("landmarks").unwrap();
    assert_eq!(lm.len(), 16);
    assert!(lm.iter().all(|v| (0.0..=1.0).contains(v)));
    assert_eq!(lm[0], s.landmarks[0][0] / 64.0);
    let hue = s.target("hue").unwrap();
    assert!((hue[0].hypot(hue[1]) - 1.0).abs() < 1e-5);
    assert_eq!(s.target("rotation").unwrap(), s.target("roll").unwrap());
    assert_eq!(s.target("pose").unwrap().len(), 4);
    assert_eq!(s.target("class").unwrap(), vec![4.0]);
    assert_eq!(s.target("latents").unwrap().len(), Latents::NAMES.len());
    for name in Sample::TARGETS.iter().chain(Latents::NAMES.iter()) {
        let t = s.target(name).unwrap();
        assert!(!t.is_empty() && t.iter().all(|v| v.is_finite()), "{name}");
    }
    assert!(matches!(
        s.target("nose"),
        Err(Synth3dError::UnknownTarget { .. })
    ));
}

#[test]
fn bad_latents_and_configs_are_errors() {
    let l = Latents::reference_scene(0);
    for bad in [
        Latents { class: 99, ..l },
        Latents {
            scale: f32::NAN,
            ..l
        },
        Latents {
            light_temperature: 0.0,
            ..l
        },
    ] {
        assert!(
            matches!(
                Synth3d::render(&bad, 32),
                Err(Synth3dError::InvalidLatents(_))
            ),
            "{bad:?}"
        );
    }
    assert!(matches!(
        Synth3d::render(&l, 0),
        Err(Synth3dError::InvalidConfig(_))
    ));
    let cfg = Synth3dConfig { size: 0, ..tiny(0) };
    assert!(matches!(
        Synth3d::generate(&cfg),
        Err(Synth3dError::InvalidConfig(_))
    ));
    let cfg = Synth3dConfig {
        views_per_group: 1,
        ..tiny(0)
    };
    assert!(matches!(
        Synth3d::generate(&cfg),
        Err(Synth3dError::InvalidConfig(_))
    ));
}

#[test]
fn quick_config_generates_in_seconds() {
    let cfg = Synth3dConfig::quick();
    let start = Instant::now();
    let data = Synth3d::generate(&cfg).unwrap();
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(data.pretrain.len(), cfg.n_pretrain);
    assert_eq!(data.train.len() + data.test.len(), cfg.n_train + cfg.n_test);
    let classes: std::collections::BTreeSet<i64> = data.train.iter().map(|s| s.class).collect();
    assert_eq!(classes.len(), Latents::CLASS_COUNT);
    // Generous for a debug-profile build on a busy 2-core machine; release is ~50x faster.
    assert!(secs < 30.0, "quick config took {secs:.1} s");
}

#[test]
fn landmarks_keep_their_meaning_across_classes() {
    // Landmark k is the support point towards DIRECTIONS[k]; support points are monotone in the
    // direction, so at the identity pose +x landmarks are never left of their -x twins and +y
    // landmarks never below their -y twins (screen y grows downwards).
    let dirs = LANDMARK_DIRECTIONS;
    for class in 0..Latents::CLASS_COUNT as i64 {
        let l = Latents {
            yaw: 0.0,
            pitch: 0.0,
            roll: 0.0,
            ..Latents::reference_scene(class)
        };
        let s = Synth3d::render_sample(&l, 64).unwrap();
        for a in 0..8 {
            for b in 0..8 {
                let (da, db) = (dirs[a], dirs[b]);
                if da[1] == db[1] && da[2] == db[2] && da[0] > db[0] {
                    assert!(
                        s.landmarks[a][0] >= s.landmarks[b][0] - 1e-3,
                        "class {class}: {a} left of {b}"
                    );
                }
                if da[0] == db[0] && da[2] == db[2] && da[1] > db[1] {
                    assert!(
                        s.landmarks[a][1] <= s.landmarks[b][1] + 1e-3,
                        "class {class}: {a} below {b}"
                    );
                }
            }
        }
        // The extent of the landmarks spans a good part of the object.
        let xs: Vec<f32> = s.landmarks.iter().map(|p| p[0]).collect();
        let span = xs.iter().cloned().fold(f32::MIN, f32::max)
            - xs.iter().cloned().fold(f32::MAX, f32::min);
        assert!(span > 5.0, "class {class}: landmarks span only {span} px");
    }
}

#[test]
fn latent_vectors_are_scaled_to_their_ranges() {
    let data = Synth3d::generate(&Synth3dConfig {
        seed: 9,
        size: 16,
        n_pretrain: 200,
        n_train: 0,
        n_test: 0,
        n_groups: 0,
        views_per_group: 0,
    })
    .unwrap();
    for l in &data.pretrain_latents {
        let v = l.to_vec();
        assert_eq!(v.len(), Latents::NAMES.len());
        for (name, x) in Latents::NAMES.iter().zip(&v) {
            let range = if name.ends_with("_cos") || name.ends_with("_sin") {
                -1.0..=1.0
            } else {
                0.0..=1.0
            };
            assert!(range.contains(x), "{name} = {x}");
        }
    }
    let hues: Vec<f32> = data.pretrain_latents.iter().map(|l| l.object_hue).collect();
    assert!(hues.iter().any(|&h| h < 0.2) && hues.iter().any(|&h| h > 0.8));
}
