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

/// Every element of tensor `name`: its hashed uniform draw `u`, as the Python scripts draw it,
/// through `value(u)`.
pub fn hashed(name: &str, shape: &[usize], value: impl Fn(f64) -> f64) -> Vec<f32> {
    let h = fnv1a64(name);
    let n: usize = shape.iter().product();
    (0..n as u64).map(|i| value(uniform(h, i)) as f32).collect()
}

/// Tensors of the given names and shapes, filled by `values`.
pub fn weights_by(
    shapes: Vec<(String, Vec<usize>)>,
    values: fn(&str, &[usize]) -> Vec<f32>,
) -> HashMap<String, Tensor> {
    shapes
        .into_iter()
        .map(|(name, shape)| {
            let t = Tensor::from_vec(values(&name, &shape), shape, &Device::Cpu).unwrap();
            (name, t)
        })
        .collect()
}

/// The value the Python script gives every element of tensor `name`.
pub fn formula(name: &str, shape: &[usize]) -> Vec<f32> {
    hashed(name, shape, |u| {
        if shape.len() == 4 {
            (u - 0.5) * (24.0 / (shape[1] * shape[2] * shape[3]) as f64).sqrt()
        } else if name.ends_with("running_var") {
            0.5 + u
        } else if name.ends_with("running_mean") || name.ends_with(".bias") {
            0.2 * (u - 0.5)
        } else {
            0.2 + 0.6 * u
        }
    })
}

/// Formula weights for every backbone tensor of `config`.
pub fn formula_weights(config: &ResNetConfig) -> HashMap<String, Tensor> {
    weights_by(config.param_shapes(), formula)
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
