//! The deterministic weight formula of scripts/reference/encoders.py, reproduced exactly.
#![allow(dead_code)]

use candle_core::{Device, Tensor};
use sslinv_encoders::ResNetConfig;
use std::collections::HashMap;
use std::path::PathBuf;

pub mod vit;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn fnv1a64(name: &str) -> u64 {
    let mut h: u64 = 0xCBF29CE484222325;
    for b in name.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001B3);
    }
    h
}

fn uniform(h: u64, i: u64) -> f64 {
    let mut x = h ^ i.wrapping_mul(0x9E3779B97F4A7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D049BB133111EB);
    x ^= x >> 31;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// The value the Python script gives every element of tensor `name`.
pub fn formula(name: &str, shape: &[usize]) -> Vec<f32> {
    let h = fnv1a64(name);
    let n: usize = shape.iter().product();
    (0..n as u64)
        .map(|i| {
            let u = uniform(h, i);
            let v = if shape.len() == 4 {
                (u - 0.5) * (24.0 / (shape[1] * shape[2] * shape[3]) as f64).sqrt()
            } else if name.ends_with("running_var") {
                0.5 + u
            } else if name.ends_with("running_mean") || name.ends_with(".bias") {
                0.2 * (u - 0.5)
            } else {
                0.2 + 0.6 * u
            };
            v as f32
        })
        .collect()
}

/// Formula weights for every backbone tensor of `config`.
pub fn formula_weights(config: &ResNetConfig) -> HashMap<String, Tensor> {
    config
        .param_shapes()
        .into_iter()
        .map(|(name, shape)| {
            let t = Tensor::from_vec(formula(&name, &shape), shape, &Device::Cpu).unwrap();
            (name, t)
        })
        .collect()
}

/// Relative L2 error ||a - b|| / ||b||.
pub fn rel_l2(a: &Tensor, b: &Tensor) -> f32 {
    let norm = |t: &Tensor| -> f32 {
        let sq = t.sqr().unwrap().sum_all().unwrap();
        sq.to_scalar::<f32>().unwrap().sqrt()
    };
    norm(&(a - b).unwrap()) / norm(b)
}

pub fn load_png(name: &str) -> image::RgbImage {
    image::open(fixture(name)).unwrap().to_rgb8()
}
