//! The paper's synthetic sweeps of one model over a folder of images (`invariance synthetic`):
//! one result file per transform, and a summary when several are asked for.

use std::path::PathBuf;

use serde::Serialize;
use sslinv_augment::{Protocol, Sweep, Transform};
use sslinv_invariance::synthetic::{SyntheticOptions, SyntheticResult};

use super::ModelJob;
use super::stats_cache::{cached_stats, list_images, load_images};
use crate::error::{Result, StudyError};
use crate::io::write_json;

/// A synthetic-invariance run.
pub struct SyntheticJob {
    /// The model, its device and statistics cache.
    pub model: ModelJob,
    /// A transform name, or `all`.
    pub transform: String,
    /// Images swept (a folder or a list file).
    pub images: PathBuf,
    /// Images of the statistics (default: `images`).
    pub stats_images: Option<PathBuf>,
    /// How many images to draw with `seed` (None: all, sorted).
    pub num_images: Option<usize>,
    /// Settings per sweep (None: the paper's).
    pub k: Option<usize>,
    /// Seed of the draw and of the equivariance probe's split.
    pub seed: u64,
    /// Shorter side before the centre crop.
    pub resize: u32,
    /// Final square side.
    pub crop: u32,
    /// The corrected sweeps or the paper code's.
    pub protocol: Protocol,
    /// Output JSON (with `all`: the summary; per-transform files go next to it).
    pub out: PathBuf,
}

/// One line per transform in the `all` summary.
#[derive(Serialize)]
struct SummaryRow {
    transform: String,
    mean_similarity: f64,
    mean_distance: f64,
    equivariance_r2: Option<f64>,
    file: PathBuf,
}

/// The `all` summary file.
#[derive(Serialize)]
struct Summary {
    model: String,
    n_images: usize,
    transforms: Vec<SummaryRow>,
    seconds: f64,
}

/// Measures each transform and writes its result (and the summary for several).
pub fn run_synthetic(job: &SyntheticJob) -> Result<()> {
    let start = std::time::Instant::now();
    let transforms: Vec<Transform> = if job.transform == "all" {
        Transform::all().to_vec()
    } else {
        vec![job.transform.parse()?]
    };
    let (encoder, dev) = job.model.load()?;
    let prep = job.model.preprocess(Some(job.resize), Some(job.crop))?;
    let stats_paths = list_images(job.stats_images.as_deref().unwrap_or(&job.images))?;
    let req = job.model.stats_request(encoder.as_ref(), &dev);
    let stats = cached_stats(&req, &stats_paths, &prep)?;

    let all = list_images(&job.images)?;
    let draw =
        sslinv_invariance::draw_images_for(job.protocol, all.len(), job.num_images, job.seed)
            .map_err(StudyError::context(format!(
                "--num-images over {}",
                job.images.display()
            )))?;
    let paths: Vec<PathBuf> = draw.into_iter().map(|i| all[i].clone()).collect();
    let images = load_images(&paths)?;
    let opts = SyntheticOptions {
        prep,
        batch: None,
        equivariance_rows: 4096,
        seed: job.seed,
    };
    let mut rows = Vec::new();
    for t in &transforms {
        let sweep = Sweep::with_protocol(*t, job.k, job.protocol);
        let res: SyntheticResult = sslinv_invariance::synthetic::run(
            encoder.as_ref(),
            &images,
            &sweep,
            &stats,
            &opts,
            &dev,
            &job.model.spec,
        )
        .map_err(StudyError::context(format!("measuring {}", t.name())))?;
        let file = if transforms.len() == 1 {
            job.out.clone()
        } else {
            let stem = job
                .out
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("invariance");
            job.out.with_file_name(format!("{stem}_{}.json", t.name()))
        };
        write_json(&file, &res)?;
        eprintln!(
            "{:>13}: similarity {:.4}, distance {:.3} ({} images, {:.1} s)",
            t.name(),
            res.mean_similarity,
            res.mean_distance,
            res.n_images,
            res.seconds
        );
        rows.push(SummaryRow {
            transform: res.transform.clone(),
            mean_similarity: res.mean_similarity,
            mean_distance: res.mean_distance,
            equivariance_r2: res.equivariance.as_ref().map(|e| e.r2),
            file,
        });
    }
    if transforms.len() > 1 {
        let summary = Summary {
            model: job.model.spec.clone(),
            n_images: images.len(),
            transforms: rows,
            seconds: start.elapsed().as_secs_f64(),
        };
        write_json(&job.out, &summary)?;
    }
    Ok(())
}
