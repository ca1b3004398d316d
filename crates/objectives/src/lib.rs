//! Self-supervised objectives as pure loss functions (MoCo v2, SimCLR, BYOL, Barlow Twins),
//! their state, and the pretraining loop.
