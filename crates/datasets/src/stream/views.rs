//! `ViewPairs`: the self-supervised sample (two random views of an image under a policy) and
//! the batch the networks take (two normalised N x 3 x S x S tensors).

use candle_core::{Device, Tensor};
use image::RgbImage;
use rand_chacha::ChaCha8Rng;
use sslinv_augment::{Policy, Preprocess};

use crate::error::Result;

/// Two views per image of `size` x `size` under `policy`, ImageNet-normalised into tensors.
#[derive(Debug, Clone)]
pub struct ViewPairs {
    /// The augmentation policy.
    pub policy: Policy,
    /// Side of the square views.
    pub size: u32,
}

impl ViewPairs {
    /// Views of `size` px under `policy`.
    pub fn new(policy: Policy, size: u32) -> ViewPairs {
        ViewPairs { policy, size }
    }

    /// The two views of one image (use as a [`super::Loader::run`] item transform).
    pub fn item(&self, img: RgbImage, rng: &mut ChaCha8Rng) -> (RgbImage, RgbImage) {
        self.policy.views(&img, self.size, rng)
    }

    /// A batch of view pairs as (first views, second views), each N x 3 x S x S f32.
    pub fn collate(
        &self,
        pairs: Vec<(RgbImage, RgbImage)>,
        device: &Device,
    ) -> Result<(Tensor, Tensor)> {
        let (a, b): (Vec<RgbImage>, Vec<RgbImage>) = pairs.into_iter().unzip();
        let prep = Preprocess::new(None, None);
        Ok((prep.to_tensor(&a, device)?, prep.to_tensor(&b, device)?))
    }
}
