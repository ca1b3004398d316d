//! Optimisation: SGD as PyTorch, learning-rate schedules and the momentum (EMA) update.

mod ema;
mod schedule;
mod sgd;

pub use ema::{byol_momentum, momentum_update};
pub use schedule::{cosine_lr, scaled_lr, warmup_cosine_lr};
pub use sgd::Sgd;
