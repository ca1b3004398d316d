//! Encoders as feature functions: final-size images become one normalised NCHW batch, one
//! forward pass, and row-major feature rows.

use candle_core::{Device, Tensor};
use image::RgbImage;
use sslinv_augment::Preprocess;
use sslinv_encoders::Encoder;

use crate::error::{InvarianceError, Result};
use crate::features::FeatureFn;

/// An [`Encoder`] on a device, normalising with a preprocessing's mean and std.
pub struct EncoderFeatures<'a> {
    encoder: &'a dyn Encoder,
    device: Device,
    to_tensor: Preprocess,
}

impl<'a> EncoderFeatures<'a> {
    /// Wraps `encoder`; images are normalised with `prep`'s mean and std (they already have
    /// their final size, so no second resize or crop is applied).
    pub fn new(encoder: &'a dyn Encoder, prep: &Preprocess, device: &Device) -> Self {
        let to_tensor = Preprocess::new(None, None).with_mean_std(prep.mean, prep.std);
        Self {
            encoder,
            device: device.clone(),
            to_tensor,
        }
    }
}

impl FeatureFn for EncoderFeatures<'_> {
    fn dim(&self) -> usize {
        self.encoder.dim()
    }

    fn features(&mut self, images: &[RgbImage]) -> Result<Vec<f32>> {
        let x = self
            .to_tensor
            .to_tensor(images, &self.device)
            .map_err(|source| InvarianceError::Augment {
                context: "images to tensor".into(),
                source,
            })?;
        let f: Tensor = self
            .encoder
            .features(&x)
            .map_err(|source| InvarianceError::Encoder {
                context: "encoder forward".into(),
                source: Box::new(source),
            })?;
        Ok(f.flatten_all()?
            .to_dtype(candle_core::DType::F32)?
            .to_vec1::<f32>()?)
    }
}
