//! The images a pretraining run streams, by dataset name: `synth3d` (rendered, or read from its
//! cache), `folder` (every image under a root), `imagenet` (`root/train/<wnid>/*.JPEG`), or a
//! registry dataset's train split; with class ids where the dataset has them (the supervised
//! baseline trains on them).

use std::path::{Path, PathBuf};

use super::files::FileList;
use super::source::{DatasetImages, Prefix, StreamSource};
use crate::error::{DatasetError, Result};
use crate::split::Split;
use crate::synth3d::{Synth3d, Synth3dConfig};

/// A streamed image source and its class ids (None when the dataset has no classes).
pub type PretrainingImages = (Box<dyn StreamSource>, Option<Vec<i64>>);

/// The pretraining images of `dataset` under `root` (synth3d: its cache, default
/// `data/synth3d`, at `synth3d_size` `demo` or `quick`), the first `max_images` if given.
pub fn pretraining_images(
    dataset: &str,
    root: Option<&Path>,
    synth3d_size: &str,
    max_images: Option<usize>,
) -> Result<PretrainingImages> {
    let root = || {
        root.ok_or_else(|| {
            DatasetError::Unsupported(format!("--dataset {dataset} needs --root DIR"))
        })
    };
    let mut labels = None;
    let source: Box<dyn StreamSource> = match dataset {
        "synth3d" => {
            let cfg = match synth3d_size {
                "demo" => Synth3dConfig::demo(),
                "quick" => Synth3dConfig::quick(),
                other => {
                    return Err(DatasetError::Unsupported(format!(
                        "unknown synth3d size `{other}` (demo, quick)"
                    )));
                }
            };
            let cache = root().map_or_else(|_| PathBuf::from("data/synth3d"), Path::to_path_buf);
            let data = Synth3d::load_or_generate(&cfg, &cache)?;
            labels = Some(data.pretrain_latents.iter().map(|l| l.class).collect());
            Box::new(data.pretrain)
        }
        "folder" => Box::new(FileList::walk(root()?)?),
        "imagenet" => Box::new(FileList::imagenet(root()?, Split::Train)?),
        name => {
            let set = crate::open(name, root()?, Split::Train)?;
            if let crate::Targets::Classes { ids, .. } = set.targets() {
                labels = Some(ids.to_vec());
            }
            Box::new(DatasetImages(set))
        }
    };
    Ok(match max_images {
        Some(n) => {
            let labels = labels.map(|l: Vec<i64>| l.into_iter().take(n).collect());
            (Box::new(Prefix::new(source, n)), labels)
        }
        None => (source, labels),
    })
}
