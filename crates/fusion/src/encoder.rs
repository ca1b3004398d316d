//! Several encoders as one [`Encoder`], their features combined by a [`FuseMode`].
//!
//! `sslinv_encoders::Concat` (what `load_encoder` builds for `a+b` specs) is the `cat` case only;
//! [`FusedEncoder`] adds `add` and `mean` and routes every mode through [`FuseMode::combine`], so
//! `cat` here gives exactly the features `Concat` gives.

use crate::error::{FusionError, Result};
use crate::grid::grid_shift;
use crate::mode::FuseMode;
use candle_core::{Device, Tensor};
use sslinv_encoders::{Encoder, EncoderError, ModelSpec, load_encoder};
use std::path::Path;

/// Member encoders whose features are fused by `mode`.
pub struct FusedEncoder {
    members: Vec<Box<dyn Encoder>>,
    mode: FuseMode,
    dim: usize,
    width_mult: f64,
}

impl FusedEncoder {
    /// Fuses `members` in order; `add` and `mean` need equal member dimensions.
    pub fn new(members: Vec<Box<dyn Encoder>>, mode: FuseMode) -> Result<Self> {
        let dims: Vec<usize> = members.iter().map(|m| m.dim()).collect();
        let dim = mode.fused_dim(&dims)?;
        Ok(Self {
            members,
            mode,
            dim,
            width_mult: 1.0,
        })
    }

    /// Records the widest member's width multiplier (used by [`FusedEncoder::grid_shift`]).
    pub fn with_width_mult(mut self, width_mult: f64) -> Self {
        self.width_mult = width_mult;
        self
    }

    /// How the members' features are combined.
    pub fn mode(&self) -> FuseMode {
        self.mode
    }

    /// Number of member encoders.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Always false: construction rejects an empty member list.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Feature dimension of each member, in order.
    pub fn member_dims(&self) -> Vec<usize> {
        self.members.iter().map(|m| m.dim()).collect()
    }

    /// The probe grid shift for these features (members - 1, or the width's, whichever is larger).
    pub fn grid_shift(&self) -> f64 {
        grid_shift(self.members.len(), self.width_mult)
    }

    /// Each member's features of a batch, N x D_i, in member order.
    pub fn member_features(&self, x: &Tensor) -> sslinv_encoders::Result<Vec<Tensor>> {
        self.members.iter().map(|m| m.features(x)).collect()
    }
}

/// Turns a fusion error into the encoder error type the `Encoder` trait returns.
fn to_encoder_error(e: FusionError) -> EncoderError {
    match e {
        FusionError::Candle(c) => EncoderError::Candle(c),
        FusionError::Encoder(e) => e,
        other => EncoderError::Candle(candle_core::Error::Msg(other.to_string())),
    }
}

impl Encoder for FusedEncoder {
    fn dim(&self) -> usize {
        self.dim
    }

    fn features(&self, x: &Tensor) -> sslinv_encoders::Result<Tensor> {
        let parts = self.member_features(x)?;
        self.mode.combine(&parts).map_err(to_encoder_error)
    }
}

/// The member specs of a `a+b+c` spec, trimmed; errors on an empty member.
pub fn split_spec(spec: &str) -> Result<Vec<String>> {
    let parts: Vec<String> = spec.split('+').map(|p| p.trim().to_string()).collect();
    if parts.iter().any(String::is_empty) {
        return Err(FusionError::TooFew(format!(
            "model spec `{spec}` has an empty member"
        )));
    }
    Ok(parts)
}

/// Width multiplier a member spec declares: `random:...:width=W`, or the `width_mult` of a
/// checkpoint's `<name>.json` sidecar; 1.0 when the spec does not say.
pub fn spec_width(spec: &str) -> f64 {
    match ModelSpec::parse(spec) {
        Ok(ModelSpec::Random { config, .. }) => config.width_mult,
        Ok(ModelSpec::File { path, .. }) => sidecar_width(&path).unwrap_or(1.0),
        _ => 1.0,
    }
}

fn sidecar_width(path: &Path) -> Option<f64> {
    let text = std::fs::read_to_string(path.with_extension("json")).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value.get("width_mult")?.as_f64()
}

/// Grid shift for fused `members` (specs): members - 1, or 2 for a 3x-wide member.
///
/// `width_mult` overrides the width read from the specs (needed for checkpoints without a sidecar).
pub fn grid_shift_for(members: &[String], width_mult: Option<f64>) -> f64 {
    let width =
        width_mult.unwrap_or_else(|| members.iter().map(|m| spec_width(m)).fold(1.0, f64::max));
    grid_shift(members.len(), width)
}

/// Loads every member of `a+b+c` with `sslinv_encoders::load_encoder` and fuses them by `mode`.
pub fn load_fused(spec: &str, mode: FuseMode, device: &Device) -> Result<FusedEncoder> {
    let members = split_spec(spec)?;
    let encoders = members
        .iter()
        .map(|m| load_encoder(m, device))
        .collect::<sslinv_encoders::Result<Vec<_>>>()?;
    let width = members.iter().map(|m| spec_width(m)).fold(1.0, f64::max);
    Ok(FusedEncoder::new(encoders, mode)?.with_width_mult(width))
}
