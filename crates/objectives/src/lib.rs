//! Self-supervised objectives as pure loss functions (MoCo v2, SimCLR, BYOL, Barlow Twins),
//! their state, and the pretraining loop.
#![warn(missing_docs)]

pub mod backbone;
pub mod checkpoint;
pub mod config;
pub mod data;
pub mod dist;
pub mod error;
pub mod head;
pub mod learner;
pub mod loss;
pub mod optim;
mod progress;
pub mod queue;
pub mod resnet;
pub mod shuffle_bn;
pub mod supervised;
pub mod train;

pub use backbone::Backbone;
pub use checkpoint::{CheckpointMeta, CheckpointPaths, read_meta};
pub use config::{Hyper, Objective, PretrainConfig};
pub use error::{ObjectivesError, Result};
pub use head::{Head, HeadSpec};
pub use learner::Learner;
pub use loss::{BARLOW_LAMBDA, barlow_twins_loss, byol_loss, info_nce, nt_xent};
pub use optim::{Sgd, byol_momentum, cosine_lr, momentum_update, scaled_lr, warmup_cosine_lr};
pub use queue::KeyQueue;
pub use resnet::{ResNetBackbone, pretrain, pretrain_on};
pub use supervised::{pretrain_supervised, softmax_cross_entropy, supervised_with};
pub use train::{StepLog, TrainReport, Trained, pretrain_in, pretrain_with};
