//! ResNet encoders in torchvision layout, checkpoint loading with key remaps, a timm-style
//! model registry and fast feature extraction.
