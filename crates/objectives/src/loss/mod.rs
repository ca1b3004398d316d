//! Loss functions as pure functions over candle tensors (values and gradients tested against
//! PyTorch fixtures).

mod barlow;
mod byol;
mod info_nce;
mod logsumexp;
mod nt_xent;
mod pair;

pub use barlow::{BARLOW_LAMBDA, barlow_twins_loss};
pub use byol::byol_loss;
pub use info_nce::{InfoNceOutput, info_nce};
pub use logsumexp::{
    cross_entropy_from_target_logits, l2_normalize, logsumexp_last, top1_accuracy,
};
pub use nt_xent::{NtXentOutput, nt_xent};
