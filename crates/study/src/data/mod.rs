//! Where a study's images come from: synth3d, or the paper's datasets under a data root. Each
//! step asks for the images and labels it needs; nothing decodes a whole dataset at once.

mod images;
pub mod root;
mod synth3d;

pub use images::{DatasetImages, FileImages, Images};
pub use synth3d::{Part, Synth3dImages, part_len};
use synth3d::{samples, synth3d_part};

use sslinv_datasets::synth3d::{GroupKind, Latents, Synth3d, Synth3dConfig};
use sslinv_datasets::{Dataset, Split, Targets};
use sslinv_heads::Labels;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::error::{Result, StudyError};
use crate::preset::Preset;
use crate::subset::subset;
use crate::tasks::{SYNTH3D_TASKS, TaskDef, dataset_tasks, synth3d_tasks};
use root::{EXTRINSIC, IMAGENET_TRAIN, IMAGENET_VAL, dataset_dir, downstream};

/// synth3d's multi-view kinds, in report order.
pub const SYNTH3D_VIEWS: [GroupKind; 3] = [
    GroupKind::Viewpoint,
    GroupKind::Illumination,
    GroupKind::Temperature,
];

/// Most training / test rows the extrinsic kernel ridge fits (its kernel is N x N).
pub const EXTRINSIC_MAX: (usize, usize) = (1000, 500);

/// Images of a multi-view dataset, flattened, and the image indices of each group.
pub type ViewGroups = (Box<dyn Images>, Vec<Vec<usize>>);

/// The study's data.
pub enum DataContext {
    /// Rendered synth3d, cached under `cache`.
    Synth3d {
        /// Sizes of the renders.
        config: Synth3dConfig,
        /// The render cache folder.
        cache: PathBuf,
        /// Loaded on first use.
        data: OnceLock<Arc<Synth3d>>,
    },
    /// Datasets under a data root.
    Root {
        /// The data root.
        root: PathBuf,
        /// Datasets found present.
        present: BTreeSet<String>,
        /// Pretrain on ImageNet val when ImageNet train is absent.
        pretrain_on_val: bool,
    },
}

fn invalid(msg: impl Into<String>) -> StudyError {
    StudyError::Invalid(msg.into())
}

impl DataContext {
    /// The rendered synth3d data (rendered and cached on first use).
    pub fn synth3d(&self) -> Result<Arc<Synth3d>> {
        match self {
            DataContext::Synth3d {
                config,
                cache,
                data,
            } => {
                if let Some(d) = data.get() {
                    return Ok(d.clone());
                }
                let loaded = Arc::new(Synth3d::load_or_generate(config, cache)?);
                Ok(data.get_or_init(|| loaded).clone())
            }
            DataContext::Root { .. } => Err(invalid("this study does not run on synth3d")),
        }
    }

    /// Whether a dataset the plan names is there (always on synth3d).
    pub fn present(&self, name: &str) -> bool {
        match self {
            DataContext::Synth3d { .. } => true,
            DataContext::Root { present, .. } => present.contains(name),
        }
    }

    /// Name of the images the statistics and sweeps use.
    pub fn stats_dataset(&self) -> &'static str {
        match self {
            DataContext::Synth3d { .. } => "synth3d",
            DataContext::Root { .. } => IMAGENET_VAL,
        }
    }

    /// Datasets pretraining reads.
    pub fn pretrain_needs(&self) -> Vec<String> {
        match self {
            DataContext::Synth3d { .. } => Vec::new(),
            DataContext::Root {
                present,
                pretrain_on_val,
                ..
            } => {
                if *pretrain_on_val && !present.contains(IMAGENET_TRAIN) {
                    vec![IMAGENET_VAL.into()]
                } else {
                    vec![IMAGENET_TRAIN.into()]
                }
            }
        }
    }

    /// Datasets the statistics and sweeps read.
    pub fn stats_needs(&self) -> Vec<String> {
        match self {
            DataContext::Synth3d { .. } => Vec::new(),
            DataContext::Root { .. } => vec![IMAGENET_VAL.into()],
        }
    }

    /// The downstream tasks of the study.
    pub fn tasks(&self, preset: &Preset) -> Vec<TaskDef> {
        let named = preset.probe.tasks.clone();
        match self {
            DataContext::Synth3d { .. } => synth3d_tasks(
                &named.unwrap_or_else(|| SYNTH3D_TASKS.iter().map(|s| s.to_string()).collect()),
            ),
            DataContext::Root { .. } => {
                dataset_tasks(&named.unwrap_or_else(|| downstream().map(str::to_string).collect()))
            }
        }
    }

    /// The multi-view datasets (synth3d: its three group kinds).
    pub fn views(&self) -> Vec<String> {
        match self {
            DataContext::Synth3d { .. } => {
                SYNTH3D_VIEWS.iter().map(|k| k.name().to_string()).collect()
            }
            DataContext::Root { .. } => sslinv_datasets::VIEW_DATASETS
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }

    /// Datasets with latents for the extrinsic step.
    pub fn extrinsic(&self) -> Vec<String> {
        match self {
            DataContext::Synth3d { .. } => vec!["synth3d".into()],
            DataContext::Root { .. } => EXTRINSIC.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// The whitening statistics images.
    pub fn stats_images(&self, preset: &Preset) -> Result<Box<dyn Images>> {
        let n = preset.invariance.stats_images;
        match self {
            DataContext::Synth3d { .. } => {
                let data = self.synth3d()?;
                let total = data.pretrain.len();
                // The last pretraining renders, as the demo always used.
                let index: Vec<usize> = (total.saturating_sub(n)..total).rev().collect();
                Ok(Box::new(Synth3dImages::new(data, Part::Pretrain, index)))
            }
            DataContext::Root { .. } => {
                let (stats, _) = self.val_split(preset)?;
                Ok(Box::new(stats))
            }
        }
    }

    /// The images each sweep transforms.
    pub fn sweep_images(&self, preset: &Preset) -> Result<Box<dyn Images>> {
        let n = preset.invariance.sweep_images;
        match self {
            DataContext::Synth3d { .. } => {
                let data = self.synth3d()?;
                let index = (0..n.min(data.test.len())).collect();
                Ok(Box::new(Synth3dImages::new(data, Part::Test, index)))
            }
            DataContext::Root { .. } => {
                let (_, sweep) = self.val_split(preset)?;
                Ok(Box::new(sweep))
            }
        }
    }

    /// ImageNet val split into (statistics, sweep) images, seeded, disjoint.
    fn val_split(&self, preset: &Preset) -> Result<(DatasetImages, DatasetImages)> {
        let DataContext::Root { root, .. } = self else {
            return Err(invalid("ImageNet val is only read under a data root"));
        };
        let open =
            || sslinv_datasets::open(IMAGENET_VAL, &dataset_dir(root, IMAGENET_VAL), Split::Val);
        let set = open()?;
        let inv = &preset.invariance;
        let idx = subset(
            set.len(),
            Some(inv.stats_images + inv.sweep_images),
            preset.seed,
        );
        let n_sweep = inv.sweep_images.min(idx.len() / 2);
        let (sweep, stats) = idx.split_at(n_sweep);
        Ok((
            DatasetImages::of(set, stats.to_vec()),
            DatasetImages::of(open()?, sweep.to_vec()),
        ))
    }

    /// One multi-view dataset: its images flattened and the image indices of each group.
    pub fn view_groups(&self, views: &str, preset: &Preset) -> Result<ViewGroups> {
        match self {
            DataContext::Synth3d { .. } => {
                let data = self.synth3d()?;
                let kind = SYNTH3D_VIEWS
                    .into_iter()
                    .find(|k| k.name() == views)
                    .ok_or_else(|| invalid(format!("synth3d has no `{views}` view groups")))?;
                let sizes: Vec<usize> = data.groups(kind).iter().map(Vec::len).collect();
                let images = Synth3dImages::all(data, Part::Groups(kind));
                Ok((Box::new(images), index_groups(&sizes)))
            }
            DataContext::Root { root, .. } => {
                let groups = sslinv_datasets::open_views(views, &dataset_dir(root, views))?;
                let chosen = subset(
                    groups.groups.len(),
                    preset.invariance.max_groups,
                    preset.seed,
                );
                let sizes: Vec<usize> = chosen
                    .iter()
                    .map(|&g| groups.groups[g].paths.len())
                    .collect();
                let paths = chosen
                    .iter()
                    .flat_map(|&g| groups.groups[g].paths.clone())
                    .collect();
                Ok((Box::new(FileImages { paths }), index_groups(&sizes)))
            }
        }
    }

    /// The `train` (train + val where the dataset defines one) or `test` images of a
    /// downstream dataset, capped as the preset says.
    pub fn split(&self, dataset: &str, split: &str, preset: &Preset) -> Result<Box<dyn Images>> {
        match self {
            DataContext::Synth3d { .. } => {
                let data = self.synth3d()?;
                let part = synth3d_part(split)?;
                Ok(Box::new(Synth3dImages::all(data, part)))
            }
            DataContext::Root { .. } => Ok(Box::new(self.root_split(dataset, split, preset)?)),
        }
    }

    fn root_split(&self, dataset: &str, split: &str, preset: &Preset) -> Result<DatasetImages> {
        let DataContext::Root { root, .. } = self else {
            return Err(invalid("not a data root"));
        };
        let dir = dataset_dir(root, dataset);
        let defined = sslinv_datasets::splits_of(dataset)?;
        let wanted: &[Split] = match split {
            "train" => &[Split::Train, Split::Val],
            "test" => &[Split::Test],
            other => return Err(invalid(format!("unknown split `{other}` (train, test)"))),
        };
        let mut sets: Vec<Box<dyn Dataset>> = Vec::new();
        for s in wanted {
            if defined.contains(s) {
                sets.push(sslinv_datasets::open(dataset, &dir, *s)?);
            }
        }
        let cap = if split == "train" {
            preset.probe.max_train
        } else {
            preset.probe.max_test
        };
        Ok(DatasetImages::new(sets, cap, preset.seed))
    }

    /// The labels of `task` on a split, in the order of [`Self::split`].
    pub fn labels(&self, task: &TaskDef, split: &str, preset: &Preset) -> Result<Labels> {
        match self {
            DataContext::Synth3d { .. } => {
                let data = self.synth3d()?;
                let samples = samples(&data, synth3d_part(split)?);
                let target = task.target.as_deref().unwrap_or("class");
                if target == "class" {
                    return Ok(Labels::Classes(samples.iter().map(|s| s.class).collect()));
                }
                let mut values = Vec::new();
                let mut dim = 0;
                for s in samples {
                    let t = s.target(target)?;
                    dim = t.len();
                    values.extend(t);
                }
                Ok(Labels::Targets { values, dim })
            }
            DataContext::Root { .. } => {
                let images = self.root_split(&task.dataset, split, preset)?;
                dataset_labels(&images)
            }
        }
    }

    /// Latent values (row-major) and their names on a split, for the extrinsic step.
    pub fn latents(
        &self,
        dataset: &str,
        split: &str,
        preset: &Preset,
    ) -> Result<(Vec<f32>, Vec<String>)> {
        match self {
            DataContext::Synth3d { .. } => {
                let data = self.synth3d()?;
                let samples = samples(&data, synth3d_part(split)?);
                let names = Latents::NAMES.iter().map(|s| s.to_string()).collect();
                Ok((
                    samples.iter().flat_map(|s| s.latents.to_vec()).collect(),
                    names,
                ))
            }
            DataContext::Root { .. } => {
                let images = self.root_split(dataset, split, preset)?;
                match dataset_labels(&images)? {
                    Labels::Targets { values, dim } => {
                        Ok((values, (0..dim).map(|i| i.to_string()).collect()))
                    }
                    Labels::Classes(_) => Err(invalid(format!("`{dataset}` has no latents"))),
                }
            }
        }
    }
}

/// Image indices of consecutive groups of the given sizes.
fn index_groups(sizes: &[usize]) -> Vec<Vec<usize>> {
    let mut next = 0;
    sizes
        .iter()
        .map(|&n| {
            let g = (next..next + n).collect();
            next += n;
            g
        })
        .collect()
}

/// The probe labels of dataset images, in order.
fn dataset_labels(images: &DatasetImages) -> Result<Labels> {
    let targets: Vec<Targets> = images.sets.iter().map(|s| s.targets()).collect();
    let mixed = || invalid("splits disagree on the target kind");
    match targets.first() {
        Some(Targets::Classes { .. }) => Ok(Labels::Classes(
            images
                .refs
                .iter()
                .map(|&(s, i)| match &targets[s] {
                    Targets::Classes { ids, .. } => Ok(ids[i]),
                    _ => Err(mixed()),
                })
                .collect::<Result<_>>()?,
        )),
        Some(Targets::Values { dim, .. }) => {
            let dim = *dim;
            let mut values = Vec::with_capacity(images.refs.len() * dim);
            for &(s, i) in &images.refs {
                match &targets[s] {
                    Targets::Values { values: v, dim: d } if *d == dim => {
                        values.extend_from_slice(&v[i * dim..(i + 1) * dim])
                    }
                    _ => return Err(mixed()),
                }
            }
            Ok(Labels::Targets { values, dim })
        }
        _ => Err(invalid("no class or regression targets")),
    }
}
