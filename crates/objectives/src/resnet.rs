//! The sslinv ResNet as a trainable [`Backbone`], seeded, and the `pretrain` entry point.

use std::path::Path;

use candle_core::{Device, Tensor, Var};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Uniform};
use sslinv_datasets::stream::StreamSource;
use sslinv_encoders::{Arch, Encoder, ResNet, ResNetConfig, Stem};

use crate::backbone::Backbone;
use crate::config::PretrainConfig;
use crate::dist::{Communicator, SingleProcess};
use crate::train::{Trained, pretrain_in};
use crate::{ObjectivesError, Result};

fn upstream(e: impl std::fmt::Display) -> ObjectivesError {
    ObjectivesError::Upstream(e.to_string())
}

/// Parses `resnet18|resnet34|resnet50|resnet101`.
pub fn parse_arch(s: &str) -> Result<Arch> {
    s.parse()
        .map_err(|e| ObjectivesError::Config(format!("{e}")))
}

/// Parses `imagenet|cifar`.
pub fn parse_stem(s: &str) -> Result<Stem> {
    s.parse()
        .map_err(|e| ObjectivesError::Config(format!("{e}")))
}

/// A ResNet with its variables, trainable by the loop.
pub struct ResNetBackbone {
    /// The network (also an [`Encoder`] for feature extraction).
    pub net: ResNet,
    vars: Vec<(String, Var)>,
}

impl ResNetBackbone {
    /// Builds the configured ResNet and initialises it from `seed` as torchvision does
    /// (Kaiming-normal fan-out convolutions, BN weight 1 / bias 0, running stats 0 / 1).
    pub fn new(cfg: &PretrainConfig, seed: u64) -> Result<Self> {
        let rcfg = ResNetConfig {
            arch: parse_arch(&cfg.arch)?,
            width_mult: cfg.width_mult,
            stem: parse_stem(&cfg.stem)?,
        };
        Self::from_config(&rcfg, seed, &cfg.device)
    }

    /// As [`ResNetBackbone::new`] from an encoders configuration.
    pub fn from_config(rcfg: &ResNetConfig, seed: u64, device: &Device) -> Result<Self> {
        let (net, varmap) = ResNet::trainable(rcfg, device).map_err(upstream)?;
        let mut vars: Vec<(String, Var)> = varmap
            .data()
            .lock()
            .map_err(|_| ObjectivesError::Config("variable map lock poisoned".into()))?
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        vars.sort_by(|a, b| a.0.cmp(&b.0));
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for (name, var) in &vars {
            let dims = var.dims().to_vec();
            let n: usize = dims.iter().product();
            let data: Vec<f32> =
                if name.ends_with("running_var") || (dims.len() == 1 && name.ends_with("weight")) {
                    vec![1.0; n]
                } else if dims.len() == 4 {
                    let fan_out = (dims[0] * dims[2] * dims[3]) as f32;
                    let normal = Normal::new(0.0, (2.0 / fan_out).sqrt())
                        .map_err(|e| ObjectivesError::Config(e.to_string()))?;
                    (0..n).map(|_| normal.sample(&mut rng)).collect()
                } else if dims.len() == 2 {
                    let b = 1.0 / (dims[1] as f32).sqrt();
                    let u = Uniform::new_inclusive(-b, b)
                        .map_err(|e| ObjectivesError::Config(e.to_string()))?;
                    (0..n).map(|_| u.sample(&mut rng)).collect()
                } else {
                    vec![0.0; n]
                };
            var.set(&Tensor::from_vec(data, dims, device)?)?;
        }
        Ok(Self { net, vars })
    }
}

impl Backbone for ResNetBackbone {
    fn dim(&self) -> usize {
        self.net.dim()
    }

    fn forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        self.net.forward_t(x, train).map_err(upstream)
    }

    fn named_vars(&self) -> Vec<(String, Var)> {
        self.vars.clone()
    }
}

impl Encoder for ResNetBackbone {
    fn dim(&self) -> usize {
        self.net.dim()
    }

    fn features(&self, x: &Tensor) -> sslinv_encoders::Result<Tensor> {
        self.net.features(x)
    }
}

/// Pretrains the configured ResNet on `images` (in memory, files, any stream source), writing `<out_dir>/<cfg.name>.{safetensors,json}`
/// and the resume state; `cfg.resume` continues from them.
pub fn pretrain<S: StreamSource + ?Sized>(
    cfg: &PretrainConfig,
    images: &S,
    out_dir: &Path,
    progress: bool,
) -> Result<Trained<ResNetBackbone>> {
    pretrain_on(cfg, images, out_dir, progress, &SingleProcess)
}

/// [`pretrain`] as one rank of a data-parallel run over `comm` (see [`pretrain_in`]).
pub fn pretrain_on<S: StreamSource + ?Sized>(
    cfg: &PretrainConfig,
    images: &S,
    out_dir: &Path,
    progress: bool,
    comm: &dyn Communicator,
) -> Result<Trained<ResNetBackbone>> {
    pretrain_in(
        cfg,
        images,
        out_dir,
        progress,
        cfg.resume,
        &|seed| ResNetBackbone::new(cfg, seed),
        comm,
    )
}
