//! synth3d cache: round trip, reuse, and corrupt files regenerated or reported, never a panic.

use sslinv_datasets::synth3d::{Synth3d, Synth3dConfig, Synth3dError};
use std::path::PathBuf;

fn cfg() -> Synth3dConfig {
    Synth3dConfig {
        seed: 5,
        size: 24,
        n_pretrain: 10,
        n_train: 6,
        n_test: 4,
        n_groups: 2,
        views_per_group: 3,
    }
}

/// A fresh folder under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("sslinv-synth3d-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn cache_round_trips_and_is_reused() {
    let dir = TempDir::new("roundtrip");
    let cfg = cfg();
    assert!(Synth3d::load(&cfg, &dir.0).unwrap().is_none());
    let a = Synth3d::load_or_generate(&cfg, &dir.0).unwrap();
    let path = Synth3d::cache_path(&cfg, &dir.0);
    assert!(path.exists());
    let loaded = Synth3d::load(&cfg, &dir.0).unwrap().unwrap();
    assert!(loaded == a);
    assert!(Synth3d::load_or_generate(&cfg, &dir.0).unwrap() == a);
    let leftovers = std::fs::read_dir(&dir.0).unwrap().count();
    assert_eq!(leftovers, 1, "temp files left behind");
    let other = Synth3dConfig { seed: 6, ..cfg };
    assert_ne!(Synth3d::cache_path(&other, &dir.0), path);
}

#[test]
fn corrupt_caches_are_reported_and_regenerated() {
    let dir = TempDir::new("corrupt");
    let cfg = cfg();
    let good = Synth3d::load_or_generate(&cfg, &dir.0).unwrap();
    let path = Synth3d::cache_path(&cfg, &dir.0);
    let bytes = std::fs::read(&path).unwrap();
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x40;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("flipped byte", flipped),
        ("truncated", bytes[..bytes.len() - 100].to_vec()),
        ("empty", Vec::new()),
        ("garbage", b"not a cache at all, just some text".to_vec()),
        ("trailing", [bytes.clone(), vec![0u8]].concat()),
    ];
    for (what, content) in cases {
        std::fs::write(&path, &content).unwrap();
        match Synth3d::load(&cfg, &dir.0) {
            Err(Synth3dError::CorruptCache { path: p, .. }) => assert_eq!(p, path, "{what}"),
            other => panic!(
                "{what}: expected CorruptCache, got {:?}",
                other.map(|d| d.is_some())
            ),
        }
        assert!(
            Synth3d::load_or_generate(&cfg, &dir.0).unwrap() == good,
            "{what}"
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "{what}: cache not rewritten"
        );
    }
}
