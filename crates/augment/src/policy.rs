//! `Policy`: the random SSL augmentation pipelines (MoCo v2 aug-plus and its ventral /
//! dorsal halves, or a custom list), sampled with torchvision's parameter rules.

use image::RgbImage;
use rand::Rng;

use crate::error::{AugmentError, Result};
use crate::paper_policy::{apply_jitter, draw_jitter};
use crate::protocol::Protocol;
use crate::{color, filter, geometry, resample};

/// One random step of a policy.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// `RandomResizedCrop(out_size, scale, ratio)`, bilinear.
    ResizedCrop {
        /// Range of the crop's area fraction.
        scale: (f64, f64),
        /// Range of the crop's aspect ratio (w / h).
        ratio: (f64, f64),
    },
    /// `RandomHorizontalFlip(p)`.
    HFlip(f64),
    /// `RandomVerticalFlip(p)`.
    VFlip(f64),
    /// `RandomApply([ColorJitter(b, c, s, h)], p)`: the four in a random order.
    ColorJitter {
        /// Probability of applying the jitter at all.
        p: f64,
        /// Brightness strength: factor in [max(0, 1-b), 1+b].
        brightness: f64,
        /// Contrast strength.
        contrast: f64,
        /// Saturation strength.
        saturation: f64,
        /// Hue strength: shift in [-h, h].
        hue: f64,
    },
    /// `RandomGrayscale(p)`.
    Grayscale(f64),
    /// `RandomApply([GaussianBlur(kernel ~ 10% of the size, sigma)], p)`.
    Blur {
        /// Probability of blurring.
        p: f64,
        /// Range of sigma.
        sigma: (f64, f64),
    },
    /// Random rotation by U(-degrees, degrees), nearest.
    Rotation(f64),
}

impl Step {
    /// The probability that a randomly applied step runs; `None` for a step that always runs.
    pub fn probability(&self) -> Option<f64> {
        match *self {
            Step::HFlip(p) | Step::VFlip(p) | Step::Grayscale(p) => Some(p),
            Step::ColorJitter { p, .. } | Step::Blur { p, .. } => Some(p),
            Step::ResizedCrop { .. } | Step::Rotation(_) => None,
        }
    }
}

/// A random augmentation pipeline producing views of size `out_size` x `out_size`.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    name: String,
    steps: Vec<Step>,
    protocol: Protocol,
}

/// Names accepted in a custom policy list.
pub const STEP_NAMES: &[&str] = &[
    "resized_crop",
    "h_flip",
    "v_flip",
    "color_jitter",
    "grayscale",
    "blur",
    "rotation",
];

fn step(name: &str) -> Option<Step> {
    Some(match name {
        "resized_crop" | "crop" => Step::ResizedCrop {
            scale: (0.2, 1.0),
            ratio: (3.0 / 4.0, 4.0 / 3.0),
        },
        "h_flip" | "hflip" | "flip" => Step::HFlip(0.5),
        "v_flip" | "vflip" => Step::VFlip(0.5),
        "color_jitter" | "jitter" => Step::ColorJitter {
            p: 0.8,
            brightness: 0.4,
            contrast: 0.4,
            saturation: 0.4,
            hue: 0.1,
        },
        "grayscale" => Step::Grayscale(0.2),
        "blur" => Step::Blur {
            p: 0.5,
            sigma: (0.1, 2.0),
        },
        "rotation" | "rotate" => Step::Rotation(180.0),
        _ => return None,
    })
}

/// The blur kernel for an output size: about 10% of it, odd (23 at 224, 7 at 64).
pub fn blur_kernel(out_size: u32) -> usize {
    ((out_size as f64 * 0.1).round() as usize) | 1
}

/// torchvision `RandomResizedCrop.get_params`: (top, left, height, width).
pub(crate) fn crop_params(
    w: u32,
    h: u32,
    scale: (f64, f64),
    ratio: (f64, f64),
    rng: &mut impl Rng,
) -> (i64, i64, u32, u32) {
    let area = (w as f64) * (h as f64);
    let (lr0, lr1) = (ratio.0.ln(), ratio.1.ln());
    for _ in 0..10 {
        let target = area * rng.random_range(scale.0..=scale.1);
        let aspect = rng.random_range(lr0..=lr1).exp();
        let cw = (target * aspect).sqrt().round() as i64;
        let ch = (target / aspect).sqrt().round() as i64;
        if cw > 0 && cw <= w as i64 && ch > 0 && ch <= h as i64 {
            let top = rng.random_range(0..=h as i64 - ch);
            let left = rng.random_range(0..=w as i64 - cw);
            return (top, left, ch as u32, cw as u32);
        }
    }
    let in_ratio = w as f64 / h as f64;
    let (cw, ch) = if in_ratio < ratio.0 {
        (w, (w as f64 / ratio.0).round() as u32)
    } else if in_ratio > ratio.1 {
        ((h as f64 * ratio.1).round() as u32, h)
    } else {
        (w, h)
    };
    (
        ((h - ch) / 2) as i64,
        ((w - cw) / 2) as i64,
        ch.max(1),
        cw.max(1),
    )
}

fn jitter(img: RgbImage, s: &Step, rng: &mut impl Rng) -> RgbImage {
    let draw = draw_jitter(s, rng);
    apply_jitter(img, &draw)
}

impl Policy {
    /// `default` (MoCo v2 aug-plus), `ventral` (crop and flip), `dorsal` (jitter, grayscale
    /// and blur on the resized image), or a comma list of [`STEP_NAMES`]; a `paper-code:`
    /// prefix selects [`Protocol::PaperCode`] (see [`Policy::with_protocol`]).
    pub fn parse(s: &str) -> Result<Policy> {
        let key = s.trim().to_ascii_lowercase();
        let (protocol, body) = match key.split_once(':') {
            Some((p, rest)) => (
                p.parse::<Protocol>()
                    .map_err(|e| AugmentError::Policy(s.to_string(), e.to_string()))?,
                rest.trim(),
            ),
            None => (Protocol::Corrected, key.as_str()),
        };
        let names: Vec<&str> = match body {
            "default" | "mocov2" | "moco_v2" | "aug_plus" => {
                vec![
                    "resized_crop",
                    "color_jitter",
                    "grayscale",
                    "blur",
                    "h_flip",
                ]
            }
            "ventral" => vec!["resized_crop", "h_flip"],
            "dorsal" => vec!["color_jitter", "grayscale", "blur"],
            _ => body.split(',').map(str::trim).collect(),
        };
        let mut steps = Vec::new();
        for n in &names {
            match step(n) {
                Some(st) => steps.push(st),
                None => {
                    return Err(AugmentError::Policy(
                        s.to_string(),
                        format!(
                            "unknown step `{n}` (known: default, ventral, dorsal, or a list of {})",
                            STEP_NAMES.join(", ")
                        ),
                    ));
                }
            }
        }
        let name = body.to_string();
        Ok(Policy {
            name,
            steps,
            protocol: Protocol::Corrected,
        }
        .with_protocol(protocol))
    }

    /// The same steps under `protocol`. `PaperCode` follows `pretraining/main_moco.py`:
    /// steps in their listed order on the image as it is (no crop step: the full image,
    /// then resize of the shorter side and centre crop), Pillow's Gaussian blur of sigma.
    pub fn with_protocol(mut self, protocol: Protocol) -> Policy {
        self.protocol = protocol;
        self
    }

    /// The protocol its views follow.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The policy as `parse` reads it back (`paper-code:` prefix included).
    pub fn spec(&self) -> String {
        match self.protocol {
            Protocol::Corrected => self.name.clone(),
            p => format!("{p}:{}", self.name),
        }
    }

    /// The MoCo v2 aug-plus policy.
    pub fn default_policy() -> Policy {
        Policy::parse("default").expect("built-in policy parses")
    }

    /// The name it was parsed from (without a protocol prefix).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its steps, in application order (a crop or resize to `out_size` always runs first).
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// One random view of `out_size` x `out_size`. Without a crop step the whole image is
    /// resized to that size (under `PaperCode`: see [`Policy::with_protocol`]). An empty
    /// input gives a black view.
    pub fn sample(&self, img: &RgbImage, out_size: u32, rng: &mut impl Rng) -> RgbImage {
        if img.width() == 0 || img.height() == 0 {
            return RgbImage::new(out_size, out_size);
        }
        if self.protocol == Protocol::PaperCode {
            let draws = self.draw(img.width(), img.height(), rng);
            return self.render_steps(img, &draws, out_size);
        }
        let crop = self.steps.iter().find_map(|s| match *s {
            Step::ResizedCrop { scale, ratio } => Some((scale, ratio)),
            _ => None,
        });
        let mut view = match crop {
            Some((scale, ratio)) => {
                let (top, left, h, w) = crop_params(img.width(), img.height(), scale, ratio, rng);
                resample::resize_exact(&geometry::crop(img, left, top, w, h), out_size, out_size)
            }
            None => resample::resize_exact(img, out_size, out_size),
        };
        for s in &self.steps {
            // RandomApply: one uniform draw decides an optional step, in the steps' order.
            if s.probability().is_some_and(|p| rng.random::<f64>() >= p) {
                continue;
            }
            view = match *s {
                Step::ResizedCrop { .. } => view,
                Step::HFlip(_) => geometry::hflip(&view),
                Step::VFlip(_) => geometry::vflip(&view),
                Step::ColorJitter { .. } => jitter(view, s, rng),
                Step::Grayscale(_) => color::grayscale(&view),
                Step::Blur { sigma, .. } => {
                    let s = rng.random_range(sigma.0..=sigma.1);
                    filter::gaussian_blur(&view, blur_kernel(out_size), s)
                }
                Step::Rotation(deg) => geometry::rotate(&view, rng.random_range(-deg..=deg)),
            };
        }
        view
    }

    /// Two independent views of the same image (the SSL pair).
    pub fn views(&self, img: &RgbImage, out_size: u32, rng: &mut impl Rng) -> (RgbImage, RgbImage) {
        let a = self.sample(img, out_size, rng);
        let b = self.sample(img, out_size, rng);
        (a, b)
    }
}

impl std::str::FromStr for Policy {
    type Err = AugmentError;

    fn from_str(s: &str) -> Result<Self> {
        Policy::parse(s)
    }
}
