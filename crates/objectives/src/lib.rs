//! Self-supervised objectives as pure loss functions (MoCo v2, SimCLR, BYOL, Barlow Twins),
//! their state, and the pretraining loop.

pub mod error;
pub mod head;
pub mod loss;
pub mod optim;
pub mod queue;

pub use error::{ObjectivesError, Result};
pub use head::{Head, HeadSpec};
pub use loss::{BARLOW_LAMBDA, barlow_twins_loss, byol_loss, info_nce, nt_xent};
pub use optim::{Sgd, byol_momentum, cosine_lr, momentum_update, scaled_lr, warmup_cosine_lr};
pub use queue::KeyQueue;
