//! `cargo xtask features`: pooled backbone features of a folder (sorted paths) or a list of
//! images, saved as safetensors under `features` with the model and preprocessing as metadata.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use candle_core::Device;
use safetensors::tensor::{Dtype, TensorView};
use sslinv_augment::Preprocess;
use sslinv_encoders::{ExtractOptions, extract, load_encoder};

/// Arguments of `cargo xtask features`.
#[derive(clap::Args)]
pub struct Args {
    /// Model spec (ARCH:PATH, a registry name, hf:REPO:FILE, random:ARCH:seed=N, a+b).
    #[arg(long)]
    pub model: String,
    #[command(flatten)]
    readout: crate::ReadoutArgs,
    /// A folder of .png/.jpg images (searched recursively, sorted by path) or a text file with
    /// one image path per line (relative paths are taken from the file's folder).
    #[arg(long)]
    pub images: PathBuf,
    /// Output safetensors file.
    #[arg(long)]
    pub out: PathBuf,
    /// Resize the shorter side to this (0: keep the size).
    #[arg(long, default_value_t = 256)]
    pub resize: u32,
    /// Centre crop to this square (0: no crop).
    #[arg(long, default_value_t = 224)]
    pub crop: u32,
    /// Images per forward pass.
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,
    /// cpu or cuda.
    #[arg(long, default_value = "cpu")]
    pub device: String,
}

fn device(name: &str) -> anyhow::Result<Device> {
    match name {
        "cpu" => Ok(Device::Cpu),
        "cuda" => Device::new_cuda(0).context("opening CUDA device 0 (build with --features cuda)"),
        other => bail!("unknown device `{other}` (cpu or cuda)"),
    }
}

fn is_image(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"))
}

/// The images a folder (recursive, sorted) or a list file names.
fn image_paths(src: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if src.is_dir() {
        let mut stack = vec![src.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in
                std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))?
            {
                let path = entry?.path();
                if path.is_dir() {
                    stack.push(path);
                } else if is_image(&path) {
                    out.push(path);
                }
            }
        }
        out.sort();
    } else {
        let text = std::fs::read_to_string(src)
            .with_context(|| format!("reading image list {}", src.display()))?;
        let base = src.parent().unwrap_or(Path::new("."));
        out = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| base.join(l))
            .collect();
    }
    if out.is_empty() {
        bail!("no images in {}", src.display());
    }
    Ok(out)
}

fn write_features(
    out: &Path,
    data: &[f32],
    n: usize,
    d: usize,
    meta: HashMap<String, String>,
) -> anyhow::Result<()> {
    let bytes: Vec<u8> = data.iter().flat_map(|v| v.to_le_bytes()).collect();
    let view = TensorView::new(Dtype::F32, vec![n, d], &bytes)?;
    // A unique temp file and a rename: two runs writing one output never tear it.
    let file = safetensors::serialize([("features", view)], Some(meta))?;
    sslinv_encoders::write_atomic(out, &file).with_context(|| format!("writing {}", out.display()))
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<()> {
    let dev = device(&args.device)?;
    let paths = image_paths(&args.images)?;
    let model = args.readout.apply(&args.model)?;
    let encoder = load_encoder(&model, &dev).with_context(|| format!("loading model `{model}`"))?;
    let prep = Preprocess::new(
        (args.resize > 0).then_some(args.resize),
        (args.crop > 0).then_some(args.crop),
    );
    let opts = ExtractOptions::new(args.batch_size).with_progress("features");
    let features = extract(encoder.as_ref(), &paths, &prep, &dev, &opts)?;
    let (data, d) = (features.data, features.dim);
    let meta = HashMap::from([
        ("model".to_string(), model.clone()),
        ("dataset".to_string(), args.images.display().to_string()),
        (
            "preprocess".to_string(),
            format!(
                "resize={},crop={},imagenet-normalise",
                args.resize, args.crop
            ),
        ),
        ("count".to_string(), paths.len().to_string()),
    ]);
    write_features(&args.out, &data, paths.len(), d, meta)?;
    println!(
        "{} x {d} features of {} images -> {}",
        paths.len(),
        paths.len(),
        args.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_sorted_and_lists_are_relative_to_their_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("b")).unwrap();
        for name in ["b/z.png", "a.jpg", "b/c.JPEG", "notes.txt"] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        let got = image_paths(dir.path()).unwrap();
        let names: Vec<_> = got
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().to_path_buf())
            .collect();
        assert_eq!(names, ["a.jpg", "b/c.JPEG", "b/z.png"].map(PathBuf::from));
        let list = dir.path().join("list.txt");
        std::fs::write(&list, "# images\nb/z.png\n\na.jpg\n").unwrap();
        assert_eq!(
            image_paths(&list).unwrap(),
            vec![dir.path().join("b/z.png"), dir.path().join("a.jpg")]
        );
        assert!(image_paths(&dir.path().join("b/nothing")).is_err());
    }

    #[test]
    fn features_file_round_trips_with_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("sub/f.safetensors");
        let meta = HashMap::from([("model".to_string(), "random:resnet18:seed=0".to_string())]);
        write_features(&out, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3, meta).unwrap();
        let bytes = std::fs::read(&out).unwrap();
        let (_, header) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
        assert_eq!(
            header.metadata().as_ref().unwrap()["model"],
            "random:resnet18:seed=0"
        );
        let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
        let t = st.tensor("features").unwrap();
        assert_eq!(t.shape(), &[2, 3]);
        assert!(!dir.path().join("sub/f.safetensors.tmp").exists());
    }
}
