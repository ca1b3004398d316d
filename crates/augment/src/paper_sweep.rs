//! The sweeps as the paper's code builds and applies them (`Protocol::PaperCode`;
//! `ManualTransform` in `eval_synthetic_invariance.py`): float32 `torch.linspace`
//! parameters, pixel settings at the 256 scale used unscaled on the original image,
//! `shear = 1` with translation and scale, albumentations' elastic transform for deform.

use crate::error::Result;
use crate::op::Op;
use crate::transform::Transform;

/// The side the paper's pixel settings are computed at (`resize`).
const RESIZE: f32 = 256.0;
/// The paper's crop size.
const CROP: f64 = 224.0;
/// albumentations' default `alpha_affine`, which the paper code leaves in place.
pub const ALPHA_AFFINE: f64 = 50.0;
/// The paper's `alpha` for deform (albumentations' default).
pub const DEFORM_ALPHA: f64 = 1.0;
/// The paper's deform sigmas: `torch.linspace(10, 50, 8).to(int)`.
pub const DEFORM_SIGMAS: [f64; 8] = [10.0, 15.0, 21.0, 27.0, 32.0, 38.0, 44.0, 50.0];
/// Length of the paper's deform parameter lists (8 sigmas x 32).
const DEFORM_SETTINGS: usize = 256;

/// `torch.linspace(a, b, n)` in float32 as torch's CPU kernel computes it: from the start
/// with a fused multiply-add below the halfway index, from the end above it.
pub fn torch_linspace(a: f64, b: f64, n: usize) -> Vec<f32> {
    let (a, b) = (a as f32, b as f32);
    if n <= 1 {
        return vec![a; n];
    }
    let step = (b - a) / (n - 1) as f32;
    let half = n / 2;
    (0..n)
        .map(|i| {
            if i < half {
                step.mul_add(i as f32, a)
            } else {
                (-step).mul_add((n - i - 1) as f32, b)
            }
        })
        .collect()
}

/// `torch.linspace(a, b, n + 1)[:n]`.
fn open(a: f64, b: f64, n: usize) -> Vec<f32> {
    let mut v = torch_linspace(a, b, n + 1);
    v.truncate(n);
    v
}

fn one(v: Vec<f32>) -> Vec<Vec<f64>> {
    v.into_iter().map(|x| vec![x as f64]).collect()
}

fn grid(axis: &[f32]) -> Vec<Vec<f64>> {
    let mut s = Vec::new();
    for &a in axis {
        for &b in axis {
            s.push(vec![a as f64, b as f64]);
        }
    }
    s
}

/// `int(np.sqrt(k))` (and its square root again for the 4-D crop grid).
fn floor_root(k: usize, power: u32) -> usize {
    let mut r = (k as f64).powf(1.0 / power as f64).floor() as usize;
    while (r + 1).pow(power) <= k {
        r += 1;
    }
    while r > 1 && r.pow(power) > k {
        r -= 1;
    }
    r.max(1)
}

/// The paper code's settings for `t` (k = 256 unless given; grids of `int(sqrt(k))` per
/// side, so a k that is not a square gives fewer settings instead of the paper code's
/// index error). Same parameter layout as `Sweep::paper`, except deform: [alpha, sigma,
/// seed, alpha_affine] with sigma cycling through [`DEFORM_SIGMAS`] and the setting's index as
/// the NumPy seed.
pub(crate) fn settings(t: Transform, k: Option<usize>) -> Vec<Vec<f64>> {
    let k1 = k.unwrap_or(256).max(1);
    match t {
        Transform::Rotation => one(open(0.0, 360.0, k1)),
        Transform::Translation => {
            let space = (1.0 - CROP / RESIZE as f64) / 2.0;
            let axis: Vec<f32> = open(-space, space, floor_root(k1, 2))
                .into_iter()
                .map(|a| a * RESIZE)
                .collect();
            grid(&axis)
        }
        Transform::Scale => one(torch_linspace(0.25, 2.0, k1)),
        Transform::Shear => grid(&open(-160.0, 160.0, floor_root(k1, 2))),
        Transform::ResizedCrop => {
            let n = floor_root(k1, 4);
            // The products are float32, as the paper code's tensors are.
            let at_256 = |a: f64, b: f64| -> Vec<f64> {
                torch_linspace(a, b, n)
                    .iter()
                    .map(|v| f64::from(v * RESIZE))
                    .collect()
            };
            crate::sweep::crop_grid(&at_256(0.0, 0.25), &at_256(0.75, 0.25))
        }
        Transform::Deform => (0..k1.min(DEFORM_SETTINGS))
            .map(|i| vec![DEFORM_ALPHA, DEFORM_SIGMAS[i % 8], i as f64, ALPHA_AFFINE])
            .collect(),
        Transform::HFlip
        | Transform::VFlip
        | Transform::Grayscale
        | Transform::Invert
        | Transform::Equalize => vec![vec![0.0], vec![1.0]],
        Transform::Brightness | Transform::Contrast | Transform::Saturation => {
            one(torch_linspace(0.25, 5.0, k1))
        }
        Transform::Hue => one(torch_linspace(-0.5, 0.5, k1)),
        Transform::Blur => one(torch_linspace(1e-5, 20.0, k1)),
        Transform::Sharpness => one(torch_linspace(1.0, 30.0, k1)),
        Transform::Posterize => (1..=7).map(|b| vec![b as f64]).collect(),
    }
}

/// Python's `round` of a float: nearest, halves to even.
fn py_round(v: f64) -> i64 {
    v.round_ties_even() as i64
}

/// The op of a paper-code setting where it differs from the corrected one (None: same op).
pub(crate) fn op(t: Transform, p: &[f64]) -> Option<Result<Op>> {
    match t {
        // `FT.affine(img, translate=(tx, ty), angle=0, scale=1, shear=1)` on the original.
        Transform::Translation => Some(Op::parse("affine", &[0.0, p[0], p[1], 1.0, 1.0, 0.0])),
        Transform::Scale => Some(Op::parse("affine", &[0.0, 0.0, 0.0, p[0], 1.0, 0.0])),
        // `PIL.Image.crop((left, top, left + width, top + height))` rounds each corner.
        Transform::ResizedCrop => {
            let (top, left) = (py_round(p[0]), py_round(p[1]));
            let bottom = py_round(p[0] + p[2]);
            let right = py_round(p[1] + p[3]);
            Some(Op::parse(
                "resized_crop",
                &[
                    top as f64,
                    left as f64,
                    (bottom - top).max(1) as f64,
                    (right - left).max(1) as f64,
                    CROP,
                ],
            ))
        }
        Transform::Deform => Some(Op::parse("albumentations_elastic", p)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_floor_the_root() {
        assert_eq!(floor_root(256, 2), 16);
        assert_eq!(floor_root(255, 2), 15);
        assert_eq!(floor_root(256, 4), 4);
        assert_eq!(floor_root(80, 4), 2);
        assert_eq!(settings(Transform::Translation, Some(10)).len(), 9);
        assert_eq!(settings(Transform::ResizedCrop, None).len(), 256);
    }

    #[test]
    fn paper_values() {
        let t = settings(Transform::Translation, None);
        assert_eq!(t[0], vec![-16.0, -16.0]);
        assert_eq!(t.len(), 256);
        assert!(t.contains(&vec![0.0, 0.0]));
        let d = settings(Transform::Deform, None);
        assert_eq!(d[9][1], 15.0);
        assert_eq!(d[255][1], 50.0);
        let c = settings(Transform::ResizedCrop, None);
        assert_eq!(c[0], vec![0.0, 0.0, 192.0, 192.0]);
        assert_eq!(c[255], vec![64.0, 64.0, 64.0, 64.0]);
    }

    #[test]
    fn crop_box_rounds_each_corner() {
        let op = op(Transform::ResizedCrop, &[21.5, 0.5, 149.0, 64.0])
            .unwrap()
            .unwrap();
        // top 21.5 -> 22, bottom 170.5 -> 170; left 0.5 -> 0, right 64.5 -> 64.
        assert_eq!(
            op,
            Op::ResizedCrop {
                top: 22,
                left: 0,
                height: 148,
                width: 64,
                size: 224
            }
        );
    }
}
