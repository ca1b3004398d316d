//! Running one step: pretraining, synthetic and multi-view invariance, downstream probes.

use super::plan::{IMAGENET_TRAIN, Layout, dataset_dir};
use super::preset::{ModelPlan, Preset};
use crate::report::write_atomic;
use anyhow::{Context, bail};
use candle_core::{Device, Tensor};
use image::RgbImage;
use sslinv_augment::{Preprocess, Sweep, Transform};
use sslinv_datasets::{Dataset, Split, Targets};
use sslinv_encoders::{Encoder, load_encoder};
use sslinv_heads::{Labels, Metric, ProbeConfig, Task, probe};
use sslinv_invariance::{EncoderFeatures, FeatureStats, InvarianceError, SyntheticOptions};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Seed of every subset the pipeline draws (the same images for every model).
const SEED: u64 = 0;

/// What the steps share: settings, loaded encoders, statistics and ImageNet val images.
pub struct Runner {
    /// Sizes.
    pub preset: Preset,
    /// Output folders.
    pub layout: Layout,
    /// The data root.
    pub data_root: PathBuf,
    /// Where the computation runs.
    pub device: Device,
    /// Model specs given with `--models` (name -> spec).
    pub specs: Vec<(String, String)>,
    encoders: HashMap<String, Box<dyn Encoder>>,
    stats: HashMap<String, FeatureStats>,
    val: Option<(Vec<RgbImage>, Vec<RgbImage>)>,
}

/// A seeded subset of `0..n` of at most `cap` indices, in increasing order.
pub fn subset(n: usize, cap: Option<usize>, seed: u64) -> Vec<usize> {
    match cap {
        Some(c) if c < n => {
            let mut idx: Vec<usize> = sslinv_datasets::splits::seeded_permutation(n, seed)
                .into_iter()
                .take(c)
                .collect();
            idx.sort_unstable();
            idx
        }
        _ => (0..n).collect(),
    }
}

fn upstream(context: &str, e: impl std::fmt::Display) -> InvarianceError {
    InvarianceError::Upstream {
        context: context.into(),
        message: e.to_string(),
    }
}

impl Runner {
    /// A runner with nothing loaded yet.
    pub fn new(
        preset: Preset,
        layout: Layout,
        data_root: PathBuf,
        device: Device,
        specs: Vec<(String, String)>,
    ) -> Runner {
        Runner {
            preset,
            layout,
            data_root,
            device,
            specs,
            encoders: HashMap::new(),
            stats: HashMap::new(),
            val: None,
        }
    }

    /// Pretrains one model with MoCo v2, resuming a partial checkpoint.
    pub fn pretrain(&mut self, model: &ModelPlan) -> anyhow::Result<()> {
        let p = &self.preset;
        let train_dir = dataset_dir(&self.data_root, IMAGENET_TRAIN);
        let set: Box<dyn Dataset> = if train_dir.is_dir() {
            Box::new(
                sslinv_datasets::loaders::image_folder::image_folder(
                    IMAGENET_TRAIN,
                    &train_dir,
                    Split::Train,
                )
                .context("ImageNet train")?,
            )
        } else if p.pretrain_on_val {
            sslinv_datasets::open(
                "imagenet",
                &dataset_dir(&self.data_root, "imagenet"),
                Split::Val,
            )
            .context("ImageNet val (pretraining images)")?
        } else {
            bail!("no ImageNet train folder at {}", train_dir.display());
        };
        let idx = subset(set.len(), p.pretrain_images, SEED);
        println!("  decoding {} pretraining images", idx.len());
        let side = p.pretrain_side;
        let images: Vec<RgbImage> = set
            .images(&idx)
            .context("decoding pretraining images")?
            .into_iter()
            .map(|im| match side {
                Some(s) => Preprocess::new(Some(s), None).image(&im),
                None => im,
            })
            .collect();
        let mut cfg = sslinv_objectives::PretrainConfig::new(
            sslinv_objectives::Objective::MocoV2,
            &model.policy,
            &model.arch,
        );
        cfg.name = model.name.clone();
        cfg.width_mult = model.width_mult;
        cfg.stem = p.stem.clone();
        cfg.image_size = p.image_size;
        cfg.epochs = p.epochs;
        cfg.batch_size = p.batch_size;
        cfg.seed = SEED;
        cfg.resume = true;
        cfg.checkpoint_every = 1000;
        cfg.device = self.device.clone();
        // MoCo's 65536-key queue must not outgrow a small image set.
        cfg.hyper.queue_size = cfg
            .hyper
            .queue_size
            .min(images.len() / cfg.batch_size * cfg.batch_size)
            .max(cfg.batch_size);
        sslinv_objectives::pretrain(&cfg, &images, &self.layout.checkpoints, true)
            .with_context(|| format!("pretraining `{}`", model.name))?;
        Ok(())
    }

    fn spec(&self, model: &str) -> String {
        match self.specs.iter().find(|(n, _)| n == model) {
            Some((_, spec)) => spec.clone(),
            None => self
                .layout
                .checkpoints
                .join(format!("{model}.safetensors"))
                .display()
                .to_string(),
        }
    }

    /// The encoder of `model`, loaded once.
    pub fn encoder(&mut self, model: &str) -> anyhow::Result<&dyn Encoder> {
        if !self.encoders.contains_key(model) {
            let spec = self.spec(model);
            let enc = load_encoder(&spec, &self.device)
                .with_context(|| format!("loading `{model}` from `{spec}`"))?;
            self.encoders.insert(model.to_string(), enc);
        }
        Ok(self.encoders[model].as_ref())
    }

    fn val_images(&mut self) -> anyhow::Result<(Vec<RgbImage>, Vec<RgbImage>)> {
        if self.val.is_none() {
            let dir = dataset_dir(&self.data_root, "imagenet");
            let set =
                sslinv_datasets::open("imagenet", &dir, Split::Val).context("ImageNet val")?;
            let want = self.preset.stats_images + self.preset.sweep_images;
            let idx = subset(set.len(), Some(want), SEED);
            let n_sweep = self.preset.sweep_images.min(idx.len() / 2);
            let (sweep, stats) = idx.split_at(n_sweep);
            println!(
                "  decoding {} ImageNet val images (statistics) and {} (sweeps)",
                stats.len(),
                sweep.len()
            );
            let stats = set.images(stats).context("decoding ImageNet val")?;
            let sweep = set.images(sweep).context("decoding ImageNet val")?;
            self.val = Some((stats, sweep));
        }
        Ok(self.val.clone().unwrap_or_default())
    }

    /// Whitening statistics of `model` over the ImageNet val statistics images (resize 256, crop 224).
    fn model_stats(&mut self, model: &str) -> anyhow::Result<FeatureStats> {
        if let Some(s) = self.stats.get(model) {
            return Ok(s.clone());
        }
        let (images, _) = self.val_images()?;
        let batch = self.preset.batch;
        let device = self.device.clone();
        let enc = self.encoder(model)?;
        let stats = sslinv_invariance::synthetic::stats(
            enc,
            &images,
            &Preprocess::stats256(),
            batch,
            &device,
            model,
        )
        .with_context(|| format!("feature statistics of `{model}`"))?;
        self.stats.insert(model.to_string(), stats.clone());
        Ok(stats)
    }

    /// Synthetic invariance of `model` to `transform`, written to `out`.
    pub fn synthetic(
        &mut self,
        model: &str,
        transform: Transform,
        out: &Path,
    ) -> anyhow::Result<()> {
        let stats = self.model_stats(model)?;
        let (_, sweep_images) = self.val_images()?;
        let sweep = Sweep::paper(transform, self.preset.k);
        let opts = SyntheticOptions {
            prep: Preprocess::stats256(),
            batch: Some(self.preset.batch),
            equivariance_rows: 0,
            seed: SEED,
        };
        let device = self.device.clone();
        let enc = self.encoder(model)?;
        let result = sslinv_invariance::synthetic::run(
            enc,
            &sweep_images,
            &sweep,
            &stats,
            &opts,
            &device,
            model,
        )
        .with_context(|| format!("{} invariance of `{model}`", transform.name()))?;
        write_atomic(out, serde_json::to_string_pretty(&result)?.as_bytes())
    }

    /// Multi-view invariance of `model` over the view groups of `dataset`, written to `out`.
    pub fn multiview(&mut self, model: &str, dataset: &str, out: &Path) -> anyhow::Result<()> {
        let stats = self.model_stats(model)?;
        let groups = sslinv_datasets::open_views(dataset, &dataset_dir(&self.data_root, dataset))
            .with_context(|| format!("view groups of `{dataset}`"))?;
        let chosen = subset(groups.groups.len(), self.preset.max_groups, SEED);
        let paths: Vec<Vec<PathBuf>> = chosen
            .iter()
            .map(|&g| groups.groups[g].paths.clone())
            .collect();
        let prep = Preprocess::eval224();
        let batch = self.preset.batch;
        let device = self.device.clone();
        let enc = self.encoder(model)?;
        let mut features = EncoderFeatures::new(enc, &prep, &device);
        let load = |g: usize| -> sslinv_invariance::Result<Vec<RgbImage>> {
            paths[g]
                .iter()
                .map(|p| sslinv_datasets::source::decode_file(p).map_err(|e| upstream("view", e)))
                .collect()
        };
        let result = sslinv_invariance::multiview::run_with(
            &mut features,
            paths.len(),
            load,
            &stats,
            &prep,
            batch,
            dataset,
            model,
        )
        .with_context(|| format!("{dataset} invariance of `{model}`"))?;
        write_atomic(out, serde_json::to_string_pretty(&result)?.as_bytes())
    }

    /// The probe of `model` (`a+b+c`: concatenated features, grid shifted) on `dataset`.
    pub fn downstream(&mut self, model: &str, dataset: &str, out: &Path) -> anyhow::Result<()> {
        let members: Vec<&str> = model.split('+').collect();
        let (train, test) = self.splits(dataset)?;
        let (train_x, dim) = self.fused_features(&members, dataset, "train", &train)?;
        let (test_x, _) = self.fused_features(&members, dataset, "test", &test)?;
        let train_y = labels(&train)?;
        let test_y = labels(&test)?;
        let regression = matches!(train_y, Labels::Targets { .. });
        let wide = members.len() == 1 && model.ends_with("-x3");
        let cfg = ProbeConfig {
            task: if regression {
                Task::Regression
            } else {
                Task::Classification
            },
            metric: match (regression, dataset) {
                (true, _) => Metric::R2,
                (false, "caltech101") => Metric::MeanPerClass,
                (false, _) => Metric::Accuracy,
            },
            folds: self.preset.folds,
            grid_shift: if wide {
                2.0
            } else {
                (members.len() - 1) as f64
            },
            lambda: None,
            seed: SEED,
            paper_grid: false,
        };
        let result = probe(&train_x, &train_y, &test_x, &test_y, dim, &cfg)
            .with_context(|| format!("probe of `{model}` on `{dataset}`"))?;
        write_atomic(out, serde_json::to_string_pretty(&result)?.as_bytes())
    }

    /// The training (train + val where defined) and test images of a downstream dataset, capped.
    fn splits(&self, dataset: &str) -> anyhow::Result<(Parts, Parts)> {
        let dir = dataset_dir(&self.data_root, dataset);
        let defined = sslinv_datasets::splits_of(dataset)?;
        let open = |split: Split| -> anyhow::Result<Box<dyn Dataset>> {
            sslinv_datasets::open(dataset, &dir, split)
                .with_context(|| format!("`{dataset}` {} split", split.name()))
        };
        let mut train = Vec::new();
        for split in [Split::Train, Split::Val] {
            if defined.contains(&split) {
                train.push(open(split)?);
            }
        }
        let test = vec![open(Split::Test)?];
        Ok((
            Parts::new(train, self.preset.max_train),
            Parts::new(test, self.preset.max_test),
        ))
    }

    /// Row-major features of every member concatenated per row; each member's are cached on disk.
    fn fused_features(
        &mut self,
        members: &[&str],
        dataset: &str,
        part: &str,
        parts: &Parts,
    ) -> anyhow::Result<(Vec<f32>, usize)> {
        let mut each = Vec::new();
        for m in members {
            each.push(self.features(m, dataset, part, parts)?);
        }
        let dim: usize = each.iter().map(|(_, d)| d).sum();
        let slices: Vec<(&[f32], usize)> = each.iter().map(|(f, d)| (f.as_slice(), *d)).collect();
        Ok((concat_rows(&slices, parts.len()), dim))
    }

    fn features(
        &mut self,
        model: &str,
        dataset: &str,
        part: &str,
        parts: &Parts,
    ) -> anyhow::Result<(Vec<f32>, usize)> {
        let path = self
            .layout
            .features
            .join(model)
            .join(format!("{dataset}_{part}.safetensors"));
        if let Ok(map) = candle_core::safetensors::load(&path, &Device::Cpu)
            && let Some(t) = map.get("features")
            && let Ok((n, d)) = t.dims2()
            && n == parts.len()
        {
            return Ok((t.flatten_all()?.to_vec1::<f32>()?, d));
        }
        let prep = Preprocess::eval224();
        let batch = self.preset.batch.max(1);
        let device = self.device.clone();
        let enc = self.encoder(model)?;
        let dim = enc.dim();
        let mut rows = Vec::with_capacity(parts.len() * dim);
        let bar = indicatif::ProgressBar::new(parts.len() as u64).with_style(
            indicatif::ProgressStyle::with_template("  {msg:40} {bar:30} {pos}/{len} [{eta}]")?,
        );
        bar.set_message(format!("features {model} {dataset} {part}"));
        for chunk in parts.refs.chunks(batch) {
            let images = parts.images(chunk)?;
            let x = prep.to_tensor(&images, &device).context("preprocessing")?;
            let f = enc.features(&x).context("encoder forward pass")?;
            rows.extend(f.to_device(&Device::Cpu)?.flatten_all()?.to_vec1::<f32>()?);
            bar.inc(chunk.len() as u64);
        }
        bar.finish_and_clear();
        let tensor = Tensor::from_vec(rows.clone(), (parts.len(), dim), &Device::Cpu)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let tmp = path.with_extension("tmp");
        tensor
            .save_safetensors("features", &tmp)
            .with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &path)
            .with_context(|| format!("renaming into {}", path.display()))?;
        Ok((rows, dim))
    }
}

/// Concatenates per-model row-major features (same rows) into one matrix, as fusion by `cat`.
pub fn concat_rows(parts: &[(&[f32], usize)], rows: usize) -> Vec<f32> {
    let dim: usize = parts.iter().map(|p| p.1).sum();
    let mut out = Vec::with_capacity(rows * dim);
    for r in 0..rows {
        for (data, d) in parts {
            out.extend_from_slice(&data[r * d..(r + 1) * d]);
        }
    }
    out
}

/// Images drawn from one or more splits: (split, index) pairs in a fixed order.
pub struct Parts {
    sets: Vec<Box<dyn Dataset>>,
    refs: Vec<(usize, usize)>,
}

impl Parts {
    fn new(sets: Vec<Box<dyn Dataset>>, cap: Option<usize>) -> Parts {
        let all: Vec<(usize, usize)> = sets
            .iter()
            .enumerate()
            .flat_map(|(s, set)| (0..set.len()).map(move |i| (s, i)))
            .collect();
        let refs = subset(all.len(), cap, SEED)
            .into_iter()
            .map(|i| all[i])
            .collect();
        Parts { sets, refs }
    }

    fn len(&self) -> usize {
        self.refs.len()
    }

    fn images(&self, refs: &[(usize, usize)]) -> anyhow::Result<Vec<RgbImage>> {
        use rayon::prelude::*;
        refs.par_iter()
            .map(|&(s, i)| {
                self.sets[s]
                    .image(i)
                    .with_context(|| format!("decoding {}", self.sets[s].origin(i)))
            })
            .collect()
    }
}

/// The probe labels of `parts`, in order.
fn labels(parts: &Parts) -> anyhow::Result<Labels> {
    let targets: Vec<Targets> = parts.sets.iter().map(|s| s.targets()).collect();
    match targets.first() {
        Some(Targets::Classes { .. }) => Ok(Labels::Classes(
            parts
                .refs
                .iter()
                .map(|&(s, i)| match &targets[s] {
                    Targets::Classes { ids, .. } => Ok(ids[i]),
                    _ => bail!("splits disagree on the target kind"),
                })
                .collect::<anyhow::Result<_>>()?,
        )),
        Some(Targets::Values { dim, .. }) => {
            let dim = *dim;
            let mut values = Vec::with_capacity(parts.len() * dim);
            for &(s, i) in &parts.refs {
                match &targets[s] {
                    Targets::Values { values: v, dim: d } if *d == dim => {
                        values.extend_from_slice(&v[i * dim..(i + 1) * dim])
                    }
                    _ => bail!("splits disagree on the target kind"),
                }
            }
            Ok(Labels::Targets { values, dim })
        }
        _ => bail!("no class or regression targets"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::plan::build;

    /// Pretraining on a folder of images writes a checkpoint the plan calls done and the
    /// encoder loader reads back (at its width), and a downstream-ready model follows.
    #[test]
    fn pretrained_checkpoint_is_done_and_loads() {
        let dir = tempfile::tempdir().unwrap();
        let class = dir.path().join("data/imagenet/train/n01");
        std::fs::create_dir_all(&class).unwrap();
        for i in 0..8u8 {
            image::RgbImage::from_fn(40, 36, |x, y| {
                image::Rgb([i * 30, (x * 6) as u8, (y * 7) as u8])
            })
            .save(class.join(format!("{i}.png")))
            .unwrap();
        }
        let mut preset = Preset::quick();
        preset.models.truncate(1);
        preset.models[0].width_mult = 0.25;
        preset.stem = "cifar".into();
        preset.image_size = 16;
        preset.epochs = 1;
        preset.batch_size = 4;
        preset.pretrain_side = Some(20);
        let layout = Layout::new(&dir.path().join("out"));
        let steps = build(&preset, &[], &layout);
        assert!(!steps[0].done());
        let mut runner = Runner::new(
            preset.clone(),
            layout.clone(),
            dir.path().join("data"),
            Device::Cpu,
            Vec::new(),
        );
        runner.pretrain(&preset.models[0]).unwrap();
        assert!(steps[0].done(), "{}", steps[0].output.display());
        let enc = runner.encoder("default").unwrap();
        assert_eq!(enc.dim(), 128, "ResNet-18 at width 0.25");
    }

    #[test]
    fn fusion_concatenates_row_by_row() {
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [9.0, 8.0];
        assert_eq!(
            concat_rows(&[(&a, 2), (&b, 1)], 2),
            vec![1.0, 2.0, 9.0, 3.0, 4.0, 8.0]
        );
    }

    #[test]
    fn subsets_are_seeded_sorted_and_capped() {
        assert_eq!(subset(5, None, 0), vec![0, 1, 2, 3, 4]);
        assert_eq!(subset(5, Some(9), 0), vec![0, 1, 2, 3, 4]);
        let a = subset(1000, Some(10), 0);
        assert_eq!(a.len(), 10);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(a, subset(1000, Some(10), 0));
        assert_ne!(a, (0..10).collect::<Vec<_>>());
    }

    /// The fusion probe concatenates its members' (cached) features and shifts the grid by 2.
    #[test]
    fn fusion_probe_uses_all_members_and_a_shifted_grid() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        for (c, class) in ["a", "b"].iter().enumerate() {
            let folder = data.join(format!("caltech101/101_ObjectCategories/{class}"));
            std::fs::create_dir_all(&folder).unwrap();
            for i in 1..=32u32 {
                image::RgbImage::from_fn(20, 16, |x, y| {
                    image::Rgb([(x * 9 + i) as u8, (y * 11) as u8, (c * 200) as u8])
                })
                .save(folder.join(format!("image_{i:04}.jpg")))
                .unwrap();
            }
        }
        let specs: Vec<(String, String)> = ["default", "ventral", "dorsal"]
            .iter()
            .enumerate()
            .map(|(i, m)| {
                (
                    m.to_string(),
                    format!("random:resnet18:seed={i}:width=0.25"),
                )
            })
            .collect();
        let mut preset = Preset::quick();
        preset.folds = 2;
        let layout = Layout::new(&dir.path().join("out"));
        let mut runner = Runner::new(preset, layout.clone(), data, Device::Cpu, specs);
        let out = dir.path().join("fused.json");
        runner
            .downstream("default+ventral+dorsal", "caltech101", &out)
            .unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        assert_eq!(v["dim"], 3 * 128);
        assert_eq!(v["n_train"], 60);
        assert!((v["grid"][0].as_f64().unwrap() - 1e-2).abs() < 1e-12);
        for m in ["default", "ventral", "dorsal"] {
            assert!(
                layout
                    .features
                    .join(m)
                    .join("caltech101_train.safetensors")
                    .exists()
            );
        }
    }
}
