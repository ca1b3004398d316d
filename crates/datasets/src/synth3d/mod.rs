//! synth3d: a deterministic procedural renderer of 3D objects, the embedded default data.
