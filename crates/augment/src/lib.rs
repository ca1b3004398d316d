//! Deterministic image ops with torchvision-on-PIL semantics, the paper's parameter sweeps,
//! random SSL policies and eval preprocessing.
