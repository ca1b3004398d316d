//! `Op`: one deterministic image op with its parameters, parsed from a name and numbers.

use image::RgbImage;

use crate::albumentations_elastic::albumentations_elastic;
use crate::error::{AugmentError, Result, invalid};
use crate::{color, elastic, filter, geometry, resample};

/// Every op name `Op::parse` accepts.
pub const OP_NAMES: &[&str] = &[
    "rotate",
    "affine",
    "resized_crop",
    "resize",
    "center_crop",
    "hflip",
    "vflip",
    "grayscale",
    "brightness",
    "contrast",
    "saturation",
    "hue",
    "blur",
    "sharpness",
    "invert",
    "equalize",
    "posterize",
    "elastic",
    "albumentations_elastic",
];

/// One deterministic op, as torchvision.transforms.functional applies it to a PIL image.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Counter-clockwise rotation in degrees about the centre; nearest, same size, black fill.
    Rotate(f64),
    /// `F.affine` (nearest): angle (deg), translation (px), scale, shear x/y (deg).
    Affine {
        /// Rotation angle in degrees.
        angle: f64,
        /// Horizontal and vertical translation in pixels.
        translate: (f64, f64),
        /// Scale factor (> 0).
        scale: f64,
        /// Shear angles in degrees (x, y).
        shear: (f64, f64),
    },
    /// Crop the box (top, left, height, width) then resize bilinearly to size x size.
    ResizedCrop {
        /// Top row of the box.
        top: i64,
        /// Left column of the box.
        left: i64,
        /// Box height.
        height: u32,
        /// Box width.
        width: u32,
        /// Output side.
        size: u32,
    },
    /// Resize the shorter side (bilinear with antialias, as PIL).
    Resize(u32),
    /// Square centre crop (zero padded when larger than the image).
    CenterCrop(u32),
    /// Left-right mirror.
    HFlip,
    /// Top-bottom mirror.
    VFlip,
    /// Grayscale kept as three channels.
    Grayscale,
    /// Brightness factor (1 = identity).
    Brightness(f64),
    /// Contrast factor (1 = identity).
    Contrast(f64),
    /// Saturation factor (1 = identity).
    Saturation(f64),
    /// Hue shift in [-0.5, 0.5] of a full turn.
    Hue(f64),
    /// Gaussian blur with an odd kernel size and sigma.
    Blur {
        /// Odd kernel size.
        kernel: usize,
        /// Standard deviation in pixels.
        sigma: f64,
    },
    /// Sharpness factor (1 = identity).
    Sharpness(f64),
    /// 255 - value.
    Invert,
    /// Per-channel histogram equalisation.
    Equalize,
    /// Keep the top `bits` bits (0..=8).
    Posterize(u32),
    /// Elastic deformation (alpha, sigma, seed).
    Elastic {
        /// Displacement scale in pixels.
        alpha: f64,
        /// Smoothness of the displacement field.
        sigma: f64,
        /// Seed of the random field.
        seed: u64,
    },
    /// albumentations 1.1 `ElasticTransform(approximate=True)`: random affine then field.
    AlbumentationsElastic {
        /// Displacement scale of the field in pixels.
        alpha: f64,
        /// Sigma of the field's 17x17 Gaussian.
        sigma: f64,
        /// Largest anchor-point offset of the random affine, in pixels.
        alpha_affine: f64,
        /// `np.random.RandomState` seed of the draws.
        seed: u32,
    },
}

fn count(op: &str, params: &[f64], expected: &[usize]) -> Result<()> {
    if expected.contains(&params.len()) {
        return Ok(());
    }
    let words: Vec<String> = expected.iter().map(|n| n.to_string()).collect();
    Err(AugmentError::ParamCount {
        op: op.to_string(),
        expected: words.join(" or "),
        got: params.len(),
    })
}

fn nonneg(op: &str, what: &str, v: f64) -> Result<f64> {
    if v >= 0.0 {
        Ok(v)
    } else {
        Err(invalid(op, format!("{what} must be >= 0, got {v}")))
    }
}

fn positive_int(op: &str, what: &str, v: f64) -> Result<u32> {
    if v >= 1.0 && v.fract() == 0.0 && v <= 65_535.0 {
        Ok(v as u32)
    } else {
        Err(invalid(
            op,
            format!("{what} must be a positive integer, got {v}"),
        ))
    }
}

fn int(op: &str, what: &str, v: f64) -> Result<i64> {
    if v.fract() == 0.0 && v.abs() <= 1e9 {
        Ok(v as i64)
    } else {
        Err(invalid(op, format!("{what} must be an integer, got {v}")))
    }
}

impl Op {
    /// Builds an op from its CLI name and parameters, checking count and ranges.
    pub fn parse(name: &str, params: &[f64]) -> Result<Op> {
        if let Some(bad) = params.iter().find(|v| !v.is_finite()) {
            return Err(invalid(name, format!("parameter {bad} is not finite")));
        }
        let p = params;
        let op = match name {
            "rotate" => {
                count(name, p, &[1])?;
                Op::Rotate(p[0])
            }
            "affine" => {
                count(name, p, &[6])?;
                if p[3] <= 0.0 {
                    return Err(invalid(name, format!("scale must be > 0, got {}", p[3])));
                }
                if p[4].rem_euclid(180.0) == 90.0 || p[5].rem_euclid(180.0) == 90.0 {
                    return Err(invalid(name, "a shear of 90 degrees is degenerate"));
                }
                Op::Affine {
                    angle: p[0],
                    translate: (p[1], p[2]),
                    scale: p[3],
                    shear: (p[4], p[5]),
                }
            }
            "resized_crop" => {
                count(name, p, &[5])?;
                Op::ResizedCrop {
                    top: int(name, "top", p[0])?,
                    left: int(name, "left", p[1])?,
                    height: positive_int(name, "height", p[2])?,
                    width: positive_int(name, "width", p[3])?,
                    size: positive_int(name, "size", p[4])?,
                }
            }
            "resize" => {
                count(name, p, &[1])?;
                Op::Resize(positive_int(name, "size", p[0])?)
            }
            "center_crop" => {
                count(name, p, &[1])?;
                Op::CenterCrop(positive_int(name, "size", p[0])?)
            }
            "hflip" | "vflip" | "grayscale" | "invert" | "equalize" => {
                count(name, p, &[0])?;
                match name {
                    "hflip" => Op::HFlip,
                    "vflip" => Op::VFlip,
                    "grayscale" => Op::Grayscale,
                    "invert" => Op::Invert,
                    _ => Op::Equalize,
                }
            }
            "brightness" | "contrast" | "saturation" | "sharpness" => {
                count(name, p, &[1])?;
                let f = nonneg(name, "factor", p[0])?;
                match name {
                    "brightness" => Op::Brightness(f),
                    "contrast" => Op::Contrast(f),
                    "saturation" => Op::Saturation(f),
                    _ => Op::Sharpness(f),
                }
            }
            "hue" => {
                count(name, p, &[1])?;
                if !(-0.5..=0.5).contains(&p[0]) {
                    return Err(invalid(
                        name,
                        format!("factor must be in [-0.5, 0.5], got {}", p[0]),
                    ));
                }
                Op::Hue(p[0])
            }
            "blur" => {
                count(name, p, &[2])?;
                let kernel = positive_int(name, "kernel", p[0])? as usize;
                if kernel.is_multiple_of(2) {
                    return Err(invalid(name, format!("kernel must be odd, got {kernel}")));
                }
                if p[1] <= 0.0 {
                    return Err(invalid(name, format!("sigma must be > 0, got {}", p[1])));
                }
                Op::Blur {
                    kernel,
                    sigma: p[1],
                }
            }
            "posterize" => {
                count(name, p, &[1])?;
                let bits = int(name, "bits", p[0])?;
                if !(0..=8).contains(&bits) {
                    return Err(invalid(name, format!("bits must be in 0..=8, got {bits}")));
                }
                Op::Posterize(bits as u32)
            }
            "elastic" => {
                count(name, p, &[2, 3])?;
                if p[1] <= 0.0 {
                    return Err(invalid(name, format!("sigma must be > 0, got {}", p[1])));
                }
                let seed = if p.len() == 3 {
                    int(name, "seed", p[2])?
                } else {
                    0
                };
                if seed < 0 {
                    return Err(invalid(name, format!("seed must be >= 0, got {seed}")));
                }
                Op::Elastic {
                    alpha: nonneg(name, "alpha", p[0])?,
                    sigma: p[1],
                    seed: seed as u64,
                }
            }
            "albumentations_elastic" => {
                count(name, p, &[4])?;
                if p[1] <= 0.0 {
                    return Err(invalid(name, format!("sigma must be > 0, got {}", p[1])));
                }
                let seed = int(name, "seed", p[2])?;
                let seed = u32::try_from(seed)
                    .map_err(|_| invalid(name, format!("seed must be in 0..2^32, got {seed}")))?;
                Op::AlbumentationsElastic {
                    alpha: nonneg(name, "alpha", p[0])?,
                    sigma: p[1],
                    alpha_affine: nonneg(name, "alpha_affine", p[3])?,
                    seed,
                }
            }
            _ => return Err(AugmentError::UnknownOp(name.to_string())),
        };
        Ok(op)
    }

    /// Applies the op to an image at its own size (resize/crop ops change the size).
    pub fn apply(&self, img: &RgbImage) -> Result<RgbImage> {
        if img.width() == 0 || img.height() == 0 {
            return Err(AugmentError::Shape {
                width: img.width(),
                height: img.height(),
                msg: "empty image".into(),
            });
        }
        Ok(match *self {
            Op::Rotate(a) => geometry::rotate(img, a),
            Op::Affine {
                angle,
                translate,
                scale,
                shear,
            } => {
                let m = geometry::inverse_affine_matrix(
                    img.width(),
                    img.height(),
                    angle,
                    translate,
                    scale,
                    shear,
                );
                geometry::affine_nearest(img, m)
            }
            Op::ResizedCrop {
                top,
                left,
                height,
                width,
                size,
            } => resample::resize_exact(&geometry::crop(img, left, top, width, height), size, size),
            Op::Resize(s) => resample::resize_shorter(img, s),
            Op::CenterCrop(s) => geometry::center_crop(img, s, s),
            Op::HFlip => geometry::hflip(img),
            Op::VFlip => geometry::vflip(img),
            Op::Grayscale => color::grayscale(img),
            Op::Brightness(f) => color::brightness(img, f),
            Op::Contrast(f) => color::contrast(img, f),
            Op::Saturation(f) => color::saturation(img, f),
            Op::Hue(f) => color::hue(img, f),
            Op::Blur { kernel, sigma } => filter::gaussian_blur(img, kernel, sigma),
            Op::Sharpness(f) => filter::sharpness(img, f),
            Op::Invert => color::invert(img),
            Op::Equalize => color::equalize(img),
            Op::Posterize(b) => color::posterize(img, b),
            Op::Elastic { alpha, sigma, seed } => elastic::elastic(img, alpha, sigma, seed),
            Op::AlbumentationsElastic {
                alpha,
                sigma,
                alpha_affine,
                seed,
            } => albumentations_elastic(img, alpha, sigma, alpha_affine, seed),
        })
    }
}
