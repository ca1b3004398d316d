//! Several encoders as one [`Encoder`], their features combined by a [`FuseMode`] (`a+b` specs).

use crate::encoder::Encoder;
use crate::error::Result;
use crate::fuse_mode::FuseMode;
use candle_core::Tensor;

/// Member encoders whose features are fused by `mode`: concatenated (`cat`, the paper's
/// fusion), summed (`add`) or averaged (`mean`).
pub struct FusedEncoder {
    members: Vec<Box<dyn Encoder>>,
    mode: FuseMode,
    dim: usize,
}

impl FusedEncoder {
    /// Fuses `members` in order; errors when there are none, or for `add`/`mean` when their
    /// dimensions differ.
    pub fn new(members: Vec<Box<dyn Encoder>>, mode: FuseMode) -> Result<Self> {
        let dims: Vec<usize> = members.iter().map(|m| m.dim()).collect();
        let dim = mode.fused_dim(&dims)?;
        Ok(Self { members, mode, dim })
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

    /// The member encoders, in order.
    pub fn members(&self) -> &[Box<dyn Encoder>] {
        &self.members
    }

    /// Feature dimension of each member, in order.
    pub fn member_dims(&self) -> Vec<usize> {
        self.members.iter().map(|m| m.dim()).collect()
    }

    /// Each member's features of a batch, N x D_i, in member order.
    pub fn member_features(&self, x: &Tensor) -> Result<Vec<Tensor>> {
        self.members.iter().map(|m| m.features(x)).collect()
    }
}

impl Encoder for FusedEncoder {
    fn dim(&self) -> usize {
        self.dim
    }

    fn features(&self, x: &Tensor) -> Result<Tensor> {
        self.mode.combine(&self.member_features(x)?)
    }
}
