//! Policy views as the paper's pretraining code composes them (`Protocol::PaperCode`,
//! `pretraining/main_moco.py` l.233-251): the steps run in the listed order on the image as
//! it is (a policy without a random resized crop works on the full image and ends with
//! `Resize(size)` of the shorter side and `CenterCrop(size)`), and blur is MoCo's
//! `GaussianBlur([.1, 2.])`, Pillow's `GaussianBlur(radius=sigma)`.
//!
//! The random outcome of each step is a [`StepDraw`], so a view can be rendered from fixed
//! draws (that is how it is compared with torchvision's composition).

use image::RgbImage;
use rand::Rng;
use rand::seq::SliceRandom;

use crate::error::{AugmentError, Result};
use crate::pil_blur::pil_gaussian_blur;
use crate::policy::{Policy, Step, crop_params};
use crate::{color, geometry, resample};

/// What one colour jitter does: the order of its four ops and their factors.
#[derive(Debug, Clone, PartialEq)]
pub struct JitterDraw {
    /// Application order of brightness (0), contrast (1), saturation (2) and hue (3).
    pub order: [usize; 4],
    /// Brightness factor (None: strength 0).
    pub brightness: Option<f64>,
    /// Contrast factor.
    pub contrast: Option<f64>,
    /// Saturation factor.
    pub saturation: Option<f64>,
    /// Hue shift.
    pub hue: Option<f64>,
}

/// The random outcome of one policy step.
#[derive(Debug, Clone, PartialEq)]
pub enum StepDraw {
    /// The box of a random resized crop.
    Crop {
        /// Top row.
        top: i64,
        /// Left column.
        left: i64,
        /// Box height.
        height: u32,
        /// Box width.
        width: u32,
    },
    /// Whether a (horizontal or vertical) flip happens.
    Flip(bool),
    /// The colour jitter, when it is applied.
    Jitter(Option<JitterDraw>),
    /// Whether the image turns grey.
    Grayscale(bool),
    /// The blur's sigma (Pillow radius), when it is applied.
    Blur(Option<f64>),
    /// Rotation angle in degrees.
    Rotate(f64),
}

/// Draws a jitter's order and factors (torchvision `ColorJitter.get_params` rules).
pub(crate) fn draw_jitter(s: &Step, rng: &mut impl Rng) -> JitterDraw {
    let Step::ColorJitter {
        brightness,
        contrast,
        saturation,
        hue,
        ..
    } = *s
    else {
        return JitterDraw {
            order: [0, 1, 2, 3],
            brightness: None,
            contrast: None,
            saturation: None,
            hue: None,
        };
    };
    let mut order = [0usize, 1, 2, 3];
    order.shuffle(rng);
    let mut factor = |strength: f64| {
        (strength > 0.0).then(|| rng.random_range((1.0 - strength).max(0.0)..=1.0 + strength))
    };
    let b = factor(brightness);
    let c = factor(contrast);
    let sa = factor(saturation);
    let h = (hue > 0.0).then(|| rng.random_range(-hue..=hue));
    JitterDraw {
        order,
        brightness: b,
        contrast: c,
        saturation: sa,
        hue: h,
    }
}

/// Applies a drawn jitter.
pub(crate) fn apply_jitter(mut img: RgbImage, j: &JitterDraw) -> RgbImage {
    for i in j.order {
        img = match (i, j.brightness, j.contrast, j.saturation, j.hue) {
            (0, Some(f), ..) => color::brightness(&img, f),
            (1, _, Some(f), ..) => color::contrast(&img, f),
            (2, _, _, Some(f), _) => color::saturation(&img, f),
            (3, .., Some(f)) => color::hue(&img, f),
            _ => img,
        };
    }
    img
}

/// Whether `d` is the kind of outcome `s` produces.
fn matches(s: &Step, d: &StepDraw) -> bool {
    matches!(
        (s, d),
        (Step::ResizedCrop { .. }, StepDraw::Crop { .. })
            | (Step::HFlip(_) | Step::VFlip(_), StepDraw::Flip(_))
            | (Step::ColorJitter { .. }, StepDraw::Jitter(_))
            | (Step::Grayscale(_), StepDraw::Grayscale(_))
            | (Step::Blur { .. }, StepDraw::Blur(_))
            | (Step::Rotation(_), StepDraw::Rotate(_))
    )
}

impl Policy {
    /// Draws every step's outcome for a `width` x `height` input, step by step.
    pub fn draw(&self, width: u32, height: u32, rng: &mut impl Rng) -> Vec<StepDraw> {
        let coin = |p: f64, rng: &mut dyn rand::RngCore| rng.random::<f64>() < p;
        self.steps()
            .iter()
            .map(|s| match *s {
                Step::ResizedCrop { scale, ratio } => {
                    let (top, left, height, width) = crop_params(width, height, scale, ratio, rng);
                    StepDraw::Crop {
                        top,
                        left,
                        height,
                        width,
                    }
                }
                Step::HFlip(p) | Step::VFlip(p) => StepDraw::Flip(coin(p, rng)),
                Step::ColorJitter { p, .. } => {
                    StepDraw::Jitter(coin(p, rng).then(|| draw_jitter(s, rng)))
                }
                Step::Grayscale(p) => StepDraw::Grayscale(coin(p, rng)),
                Step::Blur { p, sigma } => {
                    StepDraw::Blur(coin(p, rng).then(|| rng.random_range(sigma.0..=sigma.1)))
                }
                Step::Rotation(deg) => StepDraw::Rotate(rng.random_range(-deg..=deg)),
            })
            .collect()
    }

    /// The paper code's view of `img` for fixed draws (one per step, as [`Policy::draw`]
    /// makes them), `out_size` x `out_size`.
    pub fn render_paper_code(
        &self,
        img: &RgbImage,
        draws: &[StepDraw],
        out_size: u32,
    ) -> Result<RgbImage> {
        let ok = draws.len() == self.steps().len()
            && self.steps().iter().zip(draws).all(|(s, d)| matches(s, d));
        if !ok {
            return Err(AugmentError::Policy(
                self.name().to_string(),
                format!("{} draws do not match the policy's steps", draws.len()),
            ));
        }
        if img.width() == 0 || img.height() == 0 {
            return Ok(RgbImage::new(out_size, out_size));
        }
        Ok(self.render_steps(img, draws, out_size))
    }

    /// Applies matched draws in step order, then the final resize and centre crop when no
    /// step cropped.
    pub(crate) fn render_steps(&self, img: &RgbImage, draws: &[StepDraw], out: u32) -> RgbImage {
        let mut view = img.clone();
        let mut cropped = false;
        for (s, d) in self.steps().iter().zip(draws) {
            view = match (s, d) {
                (
                    _,
                    &StepDraw::Crop {
                        top,
                        left,
                        height,
                        width,
                    },
                ) => {
                    cropped = true;
                    let b = geometry::crop(&view, left, top, width, height);
                    resample::resize_exact(&b, out, out)
                }
                (Step::HFlip(_), StepDraw::Flip(true)) => geometry::hflip(&view),
                (Step::VFlip(_), StepDraw::Flip(true)) => geometry::vflip(&view),
                (_, StepDraw::Jitter(Some(j))) => apply_jitter(view, j),
                (_, StepDraw::Grayscale(true)) => color::grayscale(&view),
                (_, &StepDraw::Blur(Some(sigma))) => pil_gaussian_blur(&view, sigma),
                (_, &StepDraw::Rotate(a)) => geometry::rotate(&view, a),
                _ => view,
            };
        }
        if !cropped {
            view = resample::resize_shorter(&view, out);
            view = geometry::center_crop(&view, out, out);
        }
        view
    }
}
