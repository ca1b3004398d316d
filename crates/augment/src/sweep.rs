//! `Sweep`: the paper's parameter settings for each synthetic transform, and applying one
//! setting to give the 224x224 image the encoder sees.

use image::RgbImage;

use crate::error::Result;
use crate::op::Op;
use crate::paper_sweep;
use crate::preprocess::Preprocess;
use crate::protocol::Protocol;
use crate::resample::resize_exact;
use crate::transform::Transform;

/// Kernel size of the blur sweep (the paper's).
pub const BLUR_KERNEL: usize = 23;
/// Displacement scale (pixels) of the deform sweep.
pub const DEFORM_ALPHA: f64 = 1000.0;
/// The side the paper's pixel-valued settings (translation, resized crop) refer to.
const REF_SIDE: f64 = 256.0;
/// Side of the sweep's final images.
pub const OUT_SIDE: u32 = 224;

/// NumPy's `linspace(a, b, n)`.
pub fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    match n {
        0 => vec![],
        1 => vec![a],
        _ => {
            let step = (b - a) / (n - 1) as f64;
            (0..n)
                .map(|i| if i == n - 1 { b } else { a + step * i as f64 })
                .collect()
        }
    }
}

/// `linspace(a, b, n + 1)[:n]`: n points without the end point.
fn linspace_open(a: f64, b: f64, n: usize) -> Vec<f64> {
    let mut v = linspace(a, b, n + 1);
    v.truncate(n);
    v
}

/// Index of the value nearest to `target`.
fn nearest(values: &[f64], target: f64) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if (v - target).abs() < (values[best] - target).abs() {
            best = i;
        }
    }
    best
}

/// The parameter settings of one transform, in the paper's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    transform: Transform,
    settings: Vec<Vec<f64>>,
    identity: usize,
    protocol: Protocol,
}

impl Sweep {
    /// The paper's settings (DESIGN.md). `k` overrides the count: 1-D sweeps use k points,
    /// 2-D grids (translation, shear) the nearest square, resized_crop the nearest fourth
    /// power, deform k/8 seeds per sigma; posterize and the on/off transforms ignore it.
    ///
    /// Parameters per setting: rotation [deg]; translation [tx, ty] px at 256; scale [s];
    /// shear [x, y] deg; resized_crop [top, left, height, width] px at 256; deform
    /// [alpha, sigma, seed]; blur [sigma] (kernel 23); posterize [bits]; the on/off
    /// transforms [0 or 1]; the colour ones [factor].
    pub fn paper(t: Transform, k: Option<usize>) -> Sweep {
        let k1 = k.unwrap_or(256).max(1);
        let side = |power: f64, default: usize| match k {
            Some(k) => ((k.max(1) as f64).powf(1.0 / power).round() as usize).max(1),
            None => default,
        };
        let one = |v: Vec<f64>, id: f64| {
            let identity = nearest(&v, id);
            (v.into_iter().map(|x| vec![x]).collect::<Vec<_>>(), identity)
        };
        let grid2 = |axis: Vec<f64>| {
            let mut s = Vec::new();
            for &a in &axis {
                for &b in &axis {
                    s.push(vec![a, b]);
                }
            }
            let z = nearest(&axis, 0.0);
            (s, z * axis.len() + z)
        };
        let (settings, identity) = match t {
            Transform::Rotation => one(linspace_open(0.0, 360.0, k1), 0.0),
            Transform::Translation => {
                let n = side(2.0, 16);
                grid2(
                    linspace_open(-1.0 / 16.0, 1.0 / 16.0, n)
                        .iter()
                        .map(|v| v * REF_SIDE)
                        .collect(),
                )
            }
            Transform::Scale => one(linspace(0.25, 2.0, k1), 1.0),
            Transform::Shear => grid2(linspace_open(-160.0, 160.0, side(2.0, 16))),
            Transform::ResizedCrop => {
                let n = side(4.0, 4);
                let pos: Vec<f64> = linspace(0.0, 0.25, n)
                    .iter()
                    .map(|v| v * REF_SIDE)
                    .collect();
                let len: Vec<f64> = linspace(0.75, 0.25, n)
                    .iter()
                    .map(|v| v * REF_SIDE)
                    .collect();
                // No crop is the identity; the largest box at the corner is closest.
                (crop_grid(&pos, &len), 0)
            }
            Transform::Deform => {
                let (sigmas, seeds) = if k1 < 8 {
                    (linspace(10.0, 50.0, k1), 1)
                } else {
                    (
                        linspace(10.0, 50.0, 8),
                        if k.is_some() { k1 / 8 } else { 32 },
                    )
                };
                let mut s = Vec::new();
                for &sigma in &sigmas {
                    for seed in 0..seeds {
                        s.push(vec![DEFORM_ALPHA, sigma, seed as f64]);
                    }
                }
                // The smoothest field (largest sigma) moves pixels least.
                ((s), (sigmas.len() - 1) * seeds)
            }
            Transform::HFlip
            | Transform::VFlip
            | Transform::Grayscale
            | Transform::Invert
            | Transform::Equalize => (vec![vec![0.0], vec![1.0]], 0),
            Transform::Brightness | Transform::Contrast | Transform::Saturation => {
                one(linspace(0.25, 5.0, k1), 1.0)
            }
            Transform::Hue => one(linspace(-0.5, 0.5, k1), 0.0),
            Transform::Blur => one(linspace(1e-5, 20.0, k1), 0.0),
            Transform::Sharpness => one(linspace(1.0, 30.0, k1), 1.0),
            Transform::Posterize => one((1..=7).map(f64::from).collect(), 8.0),
        };
        Sweep {
            transform: t,
            settings,
            identity,
            protocol: Protocol::Corrected,
        }
    }

    /// The sweep under `protocol`: [`Sweep::paper`] for `Corrected`; for `PaperCode` the
    /// paper code's own settings and ops (see `Protocol`), with the same parameter layout
    /// except deform, [alpha, sigma, seed, alpha_affine]. The identity is chosen as in
    /// [`Sweep::paper`].
    pub fn with_protocol(t: Transform, k: Option<usize>, protocol: Protocol) -> Sweep {
        let corrected = Sweep::paper(t, k);
        if protocol == Protocol::Corrected {
            return corrected;
        }
        let settings = paper_sweep::settings(t, k);
        let identity = match t {
            // The largest sigma, as in the corrected sweep (the affine dominates anyway).
            Transform::Deform => 7.min(settings.len() - 1),
            _ => {
                let target = corrected.params(corrected.identity());
                let dist =
                    |p: &[f64]| -> f64 { p.iter().zip(target).map(|(a, b)| (a - b).abs()).sum() };
                (0..settings.len())
                    .min_by(|&a, &b| dist(&settings[a]).total_cmp(&dist(&settings[b])))
                    .unwrap_or(0)
            }
        };
        Sweep {
            transform: t,
            settings,
            identity,
            protocol,
        }
    }

    /// The protocol the settings and ops follow.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The transform this sweep varies.
    pub fn transform(&self) -> Transform {
        self.transform
    }

    /// Number of settings.
    pub fn len(&self) -> usize {
        self.settings.len()
    }

    /// Whether there are no settings.
    pub fn is_empty(&self) -> bool {
        self.settings.is_empty()
    }

    /// The parameters of setting `i` (see [`Sweep::paper`] for their meaning).
    pub fn params(&self, i: usize) -> &[f64] {
        &self.settings[i]
    }

    /// The setting that is (or is closest to) the untransformed image.
    pub fn identity(&self) -> usize {
        self.identity
    }

    /// The op setting `i` applies to a `width` x `height` image at its own size, or None
    /// when the setting is "off". Pixel settings given at 256 are scaled to the image.
    pub fn op(&self, i: usize, width: u32, height: u32) -> Result<Option<Op>> {
        let p = self.params(i);
        if self.protocol == Protocol::PaperCode
            && let Some(op) = paper_sweep::op(self.transform, p)
        {
            return op.map(Some);
        }
        let on = p[0] != 0.0;
        let (sx, sy) = (width as f64 / REF_SIDE, height as f64 / REF_SIDE);
        let op = match self.transform {
            Transform::Rotation => Some(Op::Rotate(p[0])),
            Transform::Translation => Some(Op::parse(
                "affine",
                &[0.0, p[0] * sx, p[1] * sy, 1.0, 0.0, 0.0],
            )?),
            Transform::Scale => Some(Op::parse("affine", &[0.0, 0.0, 0.0, p[0], 0.0, 0.0])?),
            Transform::Shear => Some(Op::parse("affine", &[0.0, 0.0, 0.0, 1.0, p[0], p[1]])?),
            Transform::ResizedCrop => Some(Op::parse(
                "resized_crop",
                &[
                    (p[0] * sy).round(),
                    (p[1] * sx).round(),
                    (p[2] * sy).round().max(1.0),
                    (p[3] * sx).round().max(1.0),
                    OUT_SIDE as f64,
                ],
            )?),
            Transform::Deform => Some(Op::parse("elastic", p)?),
            Transform::HFlip => on.then_some(Op::HFlip),
            Transform::VFlip => on.then_some(Op::VFlip),
            Transform::Grayscale => on.then_some(Op::Grayscale),
            Transform::Invert => on.then_some(Op::Invert),
            Transform::Equalize => on.then_some(Op::Equalize),
            Transform::Brightness => Some(Op::Brightness(p[0])),
            Transform::Contrast => Some(Op::Contrast(p[0])),
            Transform::Saturation => Some(Op::Saturation(p[0])),
            Transform::Hue => Some(Op::Hue(p[0])),
            Transform::Blur => Some(Op::Blur {
                kernel: BLUR_KERNEL,
                sigma: p[0],
            }),
            Transform::Sharpness => Some(Op::Sharpness(p[0])),
            Transform::Posterize => Some(Op::Posterize(p[0] as u32)),
        };
        Ok(op)
    }

    /// Setting `i` applied to `img` at its own size, then resize 256 + centre crop 224
    /// (resized_crop resizes its box to 224 directly).
    pub fn apply(&self, i: usize, img: &RgbImage) -> Result<RgbImage> {
        let op = self.op(i, img.width(), img.height())?;
        if self.transform == Transform::ResizedCrop {
            // The op already resizes the box to 224 x 224.
            let out = op.map(|op| op.apply(img)).transpose()?;
            return Ok(out.unwrap_or_else(|| resize_exact(img, OUT_SIDE, OUT_SIDE)));
        }
        let moved;
        let img = match op {
            Some(op) => {
                moved = op.apply(img)?;
                &moved
            }
            None => img,
        };
        Ok(Preprocess::stats256().image(img))
    }
}

/// Every (top, left, height, width) box of the resized-crop sweep: positions x positions x
/// lengths x lengths, in that nesting order.
pub(crate) fn crop_grid(pos: &[f64], len: &[f64]) -> Vec<Vec<f64>> {
    let mut s = Vec::with_capacity(pos.len().pow(2) * len.len().pow(2));
    for &top in pos {
        for &left in pos {
            for &h in len {
                for &w in len {
                    s.push(vec![top, left, h, w]);
                }
            }
        }
    }
    s
}
