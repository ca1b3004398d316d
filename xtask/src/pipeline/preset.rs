//! How big each stage of the pipeline is: the paper's scale or a quick run on downloaded data.

/// One encoder the study pretrains.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelPlan {
    /// Name used in results (`default`, `ventral`, `dorsal`, `default-x3`).
    pub name: String,
    /// Augmentation policy.
    pub policy: String,
    /// Backbone architecture.
    pub arch: String,
    /// Width multiplier (3.0 for the paper's 3x-wide model).
    pub width_mult: f64,
}

/// Sizes of every stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    /// `paper` or `quick`.
    pub name: String,
    /// The encoders to pretrain (unless `--models` supplies them).
    pub models: Vec<ModelPlan>,
    /// Stem of the pretrained ResNets.
    pub stem: String,
    /// Side of the pretraining views.
    pub image_size: u32,
    /// Pretraining epochs.
    pub epochs: usize,
    /// Pretraining batch size.
    pub batch_size: usize,
    /// At most this many pretraining images (all of ImageNet train when `None`).
    pub pretrain_images: Option<usize>,
    /// Pretraining images are downscaled to this shorter side on load (memory), if set.
    pub pretrain_side: Option<u32>,
    /// Whether pretraining may fall back to ImageNet val when ImageNet train is absent.
    pub pretrain_on_val: bool,
    /// ImageNet val images giving the whitening statistics.
    pub stats_images: usize,
    /// ImageNet val images swept per transform.
    pub sweep_images: usize,
    /// Settings per sweep (`None`: the paper's k).
    pub k: Option<usize>,
    /// At most this many training / test images per downstream dataset (all when `None`).
    pub max_train: Option<usize>,
    /// See `max_train`.
    pub max_test: Option<usize>,
    /// At most this many view groups per multi-view dataset (all when `None`).
    pub max_groups: Option<usize>,
    /// Images per forward pass.
    pub batch: usize,
    /// Cross-validation folds of the probes.
    pub folds: usize,
}

const POLICIES: [&str; 3] = ["default", "ventral", "dorsal"];

impl Preset {
    /// The named preset.
    pub fn named(name: &str) -> anyhow::Result<Preset> {
        match name {
            "paper" => Ok(Preset::paper()),
            "quick" => Ok(Preset::quick()),
            other => anyhow::bail!("unknown preset `{other}` (paper, quick)"),
        }
    }

    /// The paper's scale: MoCo v2 ResNet-50 on ImageNet, 200 epochs, batch 256, 224 px;
    /// Default / Ventral / Dorsal and a 3x-wide Default.
    pub fn paper() -> Preset {
        let mut models: Vec<ModelPlan> = POLICIES
            .iter()
            .map(|p| ModelPlan {
                name: p.to_string(),
                policy: p.to_string(),
                arch: "resnet50".into(),
                width_mult: 1.0,
            })
            .collect();
        models.push(ModelPlan {
            name: "default-x3".into(),
            policy: "default".into(),
            arch: "resnet50".into(),
            width_mult: 3.0,
        });
        Preset {
            name: "paper".into(),
            models,
            stem: "imagenet".into(),
            image_size: 224,
            epochs: 200,
            batch_size: 256,
            pretrain_images: None,
            pretrain_side: None,
            pretrain_on_val: false,
            stats_images: 10_000,
            sweep_images: 1000,
            k: None,
            max_train: None,
            max_test: None,
            max_groups: None,
            batch: 256,
            folds: 5,
        }
    }

    /// A smaller study on downloaded data: ResNet-18 Default / Ventral / Dorsal, 2 epochs on
    /// 2000 ImageNet images at 112 px, short sweeps and capped downstream sets.
    pub fn quick() -> Preset {
        Preset {
            name: "quick".into(),
            models: POLICIES
                .iter()
                .map(|p| ModelPlan {
                    name: p.to_string(),
                    policy: p.to_string(),
                    arch: "resnet18".into(),
                    width_mult: 1.0,
                })
                .collect(),
            stem: "imagenet".into(),
            image_size: 112,
            epochs: 2,
            batch_size: 64,
            pretrain_images: Some(2000),
            pretrain_side: Some(144),
            pretrain_on_val: true,
            stats_images: 512,
            sweep_images: 8,
            k: Some(8),
            max_train: Some(2000),
            max_test: Some(1000),
            max_groups: Some(50),
            batch: 64,
            folds: 3,
        }
    }
}
