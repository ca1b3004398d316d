//! Fusing encoders (concatenation, sum, mean), the probe grid shift for fused dimensionality,
//! and choosing a fusion from invariance profiles.
