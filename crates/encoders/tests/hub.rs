//! Hub and registry loading against a cache folder built here (no network), and the fast
//! offline failure naming the repo. One test: it sets process-wide environment variables.

mod common;

use candle_core::Device;
use common::fixture;
use sslinv_encoders::{Encoder, load_encoder};
use std::path::Path;
use std::time::{Duration, Instant};

fn put_in_cache(home: &Path, repo: &str, file: &str, from: &Path) {
    let dir = home
        .join("hub")
        .join(format!("models--{}", repo.replace('/', "--")));
    let commit = "0123456789abcdef0123456789abcdef01234567";
    std::fs::create_dir_all(dir.join("refs")).unwrap();
    std::fs::write(dir.join("refs/main"), commit).unwrap();
    let snap = dir.join("snapshots").join(commit);
    std::fs::create_dir_all(&snap).unwrap();
    std::fs::copy(from, snap.join(file)).unwrap();
}

#[test]
fn hub_specs_use_the_cache_and_fail_fast_offline() {
    let home = tempfile::tempdir().unwrap();
    put_in_cache(
        home.path(),
        "someone/narrow",
        "model.safetensors",
        &fixture("narrow_r18_hf.safetensors"),
    );
    put_in_cache(
        home.path(),
        "timm/resnet18.tv_in1k",
        "model.safetensors",
        &fixture("narrow_r18_hf.safetensors"),
    );
    // SAFETY: this test binary has a single test, so no other thread reads the environment.
    unsafe {
        std::env::set_var("HF_HOME", home.path());
        std::env::set_var("HF_HUB_OFFLINE", "1");
    }
    let enc = load_encoder("hf:someone/narrow:model.safetensors", &Device::Cpu).unwrap();
    assert_eq!(enc.dim(), 32);
    let enc = load_encoder("torchvision/resnet18", &Device::Cpu).unwrap();
    assert_eq!(enc.dim(), 32);
    // The registry's arch is enforced: resnet50's repo holding a ResNet-18 is an error.
    put_in_cache(
        home.path(),
        "timm/resnet50.tv_in1k",
        "model.safetensors",
        &fixture("narrow_r18_hf.safetensors"),
    );
    let err = load_encoder("torchvision/resnet50", &Device::Cpu)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("resnet50 was asked"), "{err}");

    let start = Instant::now();
    let err = load_encoder("dino/resnet50", &Device::Cpu)
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("Ramos-Ramos/dino-resnet-50") && err.contains("HF_HUB_OFFLINE"),
        "{err}"
    );
    // Online but unreachable: still fast, still naming the repo.
    unsafe {
        std::env::remove_var("HF_HUB_OFFLINE");
        std::env::set_var("HF_ENDPOINT", "http://127.0.0.1:9");
    }
    let err = load_encoder("hf:nobody/missing:model.safetensors", &Device::Cpu)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("nobody/missing"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(10));
}
