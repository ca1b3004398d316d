//! Eval preprocessing: resize the shorter side, centre crop, normalise to an NCHW tensor.

use candle_core::{Device, Tensor};
use image::RgbImage;
use rayon::prelude::*;

use crate::error::{AugmentError, Result};
use crate::geometry::center_crop;
use crate::resample::{Filter, resize_shorter_with};

/// ImageNet channel means (torchvision's models).
pub const IMAGENET_MEAN: [f32; 3] = [0.485, 0.456, 0.406];
/// ImageNet channel standard deviations.
pub const IMAGENET_STD: [f32; 3] = [0.229, 0.224, 0.225];

/// `Resize(resize, interpolation)` then `CenterCrop(crop)` then `ToTensor` and
/// `Normalize(mean, std)`, each step as torchvision does it on a PIL image.
#[derive(Debug, Clone, PartialEq)]
pub struct Preprocess {
    /// Target length of the shorter side (None: keep the size).
    pub resize: Option<u32>,
    /// Side of the square centre crop (None: no crop).
    pub crop: Option<u32>,
    /// Per-channel mean subtracted after scaling to [0, 1].
    pub mean: [f32; 3],
    /// Per-channel standard deviation divided by.
    pub std: [f32; 3],
    /// Resampling filter of the resize (bilinear, torchvision's default; timm uses bicubic).
    pub interpolation: Filter,
}

impl Preprocess {
    /// Resize and crop with the ImageNet mean and std.
    pub fn new(resize: Option<u32>, crop: Option<u32>) -> Self {
        Self {
            resize,
            crop,
            mean: IMAGENET_MEAN,
            std: IMAGENET_STD,
            interpolation: Filter::Bilinear,
        }
    }

    /// The paper's eval preprocessing: resize 224, centre crop 224.
    pub fn eval224() -> Self {
        Self::new(Some(224), Some(224))
    }

    /// The paper's feature-statistics preprocessing: resize 256, centre crop 224.
    pub fn stats256() -> Self {
        Self::new(Some(256), Some(224))
    }

    /// Replaces the normalisation constants.
    pub fn with_mean_std(mut self, mean: [f32; 3], std: [f32; 3]) -> Self {
        self.mean = mean;
        self.std = std;
        self
    }

    /// Replaces the resampling filter of the resize.
    pub fn with_interpolation(mut self, filter: Filter) -> Self {
        self.interpolation = filter;
        self
    }

    /// The resized and centre-cropped image (idempotent once the image has the final size).
    pub fn image(&self, img: &RgbImage) -> RgbImage {
        let resized;
        let img = match self.resize {
            Some(s) => {
                resized = resize_shorter_with(img, s, self.interpolation);
                &resized
            }
            None => img,
        };
        match self.crop {
            Some(c) => center_crop(img, c, c),
            None => img.clone(),
        }
    }

    /// Writes one image's normalised CHW values into `out` (length 3 * h * w).
    fn fill_chw(&self, img: &RgbImage, out: &mut [f32]) {
        let plane = (img.width() * img.height()) as usize;
        // ToTensor divides by 255, Normalize subtracts then divides, all in f32.
        let mut lut = [[0f32; 256]; 3];
        for (c, table) in lut.iter_mut().enumerate() {
            for (v, t) in table.iter_mut().enumerate() {
                *t = (v as f32 / 255.0 - self.mean[c]) / self.std[c];
            }
        }
        let (r, rest) = out.split_at_mut(plane);
        let (g, b) = rest.split_at_mut(plane);
        for (i, p) in img.as_raw().chunks_exact(3).enumerate() {
            r[i] = lut[0][p[0] as usize];
            g[i] = lut[1][p[1] as usize];
            b[i] = lut[2][p[2] as usize];
        }
    }

    /// Preprocesses every image (in parallel) into one N x 3 x H x W f32 tensor.
    pub fn to_tensor(&self, images: &[RgbImage], device: &Device) -> Result<Tensor> {
        let prepared: Vec<RgbImage> = images.par_iter().map(|im| self.image(im)).collect();
        let Some(first) = prepared.first() else {
            return Err(AugmentError::Shape {
                width: 0,
                height: 0,
                msg: "no images to turn into a tensor".into(),
            });
        };
        let (w, h) = first.dimensions();
        if let Some(bad) = prepared.iter().find(|im| im.dimensions() != (w, h)) {
            return Err(AugmentError::Shape {
                width: bad.width(),
                height: bad.height(),
                msg: format!("differs from the first image's {w}x{h}; set a crop size"),
            });
        }
        let per = 3 * (w * h) as usize;
        let mut data = vec![0f32; per * prepared.len()];
        data.par_chunks_mut(per)
            .zip(prepared.par_iter())
            .for_each(|(out, im)| self.fill_chw(im, out));
        Ok(Tensor::from_vec(
            data,
            (prepared.len(), 3, h as usize, w as usize),
            device,
        )?)
    }
}
