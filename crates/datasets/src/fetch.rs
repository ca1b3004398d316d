//! Downloading datasets from the Hugging Face Hub (hf-hub) and unpacking them to the layouts the
//! loaders read; for datasets without a Hub copy, where to get them and the layout expected.

use std::io::Read;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

use hf_hub::api::sync::ApiBuilder;
use hf_hub::{Repo, RepoType};

use crate::error::{DatasetError, Result};
use crate::fsutil;
use crate::registry::canonical;

/// Where a dataset lives on the Hub and where its files go under the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HubSource {
    /// The Hub dataset repository.
    pub repo: &'static str,
    /// Only files under this prefix are fetched; it is stripped from their paths.
    pub prefix: &'static str,
    /// Sub-folder of the root the files (and unpacked archives) go to.
    pub dest: &'static str,
}

/// The Hub copy of a dataset, if there is one.
pub fn hub_source(name: &str) -> Option<HubSource> {
    let (repo, prefix, dest) = match canonical(name).ok()? {
        "cifar10" => ("uoft-cs/cifar10", "plain_text/", "plain_text"),
        "coil100" => ("Voxel51/COIL-100", "data/", "coil-100"),
        "flowers102" => ("Shiym/ViT-FineTune", "flowers-102/", ""),
        "caltech101" => ("HuggingFaceM4/Caltech-101", "", ""),
        "flickr1024" => ("ernestchu/flickr1024", "", ""),
        "lsp" => ("LiuRunky/Leeds_Sports_Pose", "", ""),
        "imagenet" => ("jiachenlei/imagenet", "val/", "val"),
        _ => return None,
    };
    Some(HubSource { repo, prefix, dest })
}

/// Where to get a dataset by hand and the layout `--root` must have.
pub fn layout_help(name: &str) -> Result<&'static str> {
    Ok(match canonical(name)? {
        "imagenet" => {
            "ImageNet val: image-net.org (ILSVRC2012_img_val.tar, sorted into wnid folders). Layout: ROOT/val/<wnid>/*.JPEG"
        }
        "cifar10" => {
            "CIFAR-10: cs.toronto.edu/~kriz/cifar-10-python.tar.gz. Layout: ROOT/cifar-10-batches-py/{data_batch_1..5,test_batch}, or the Hub parquet ROOT/plain_text/{train,test}-*.parquet (needs --features parquet)"
        }
        "caltech101" => {
            "Caltech101: data.caltech.edu/records/mzrjq-6wc02. Layout: ROOT/101_ObjectCategories/<class>/image_XXXX.jpg (102 folders incl. BACKGROUND_Google); the split is written to ROOT/caltech101_split.txt"
        }
        "flowers102" => {
            "Flowers102: robots.ox.ac.uk/~vgg/data/flowers/102/ (102flowers.tgz, imagelabels.mat, setid.mat). Layout: ROOT/jpg/image_%05d.jpg, ROOT/imagelabels.mat, ROOT/setid.mat"
        }
        "300w" => {
            "300W: ibug.doc.ic.ac.uk/resources/300-W/ (300w.zip, after agreeing to its licence). Layout: ROOT/01_Indoor/*.png + *.pts, ROOT/02_Outdoor/*.png + *.pts"
        }
        "celeba" => {
            "CelebA: mmlab.ie.cuhk.edu.hk/projects/CelebA.html (img_align_celeba.zip, list_landmarks_align_celeba.txt, list_eval_partition.txt). Layout: ROOT/img_align_celeba/*.jpg and the two lists in ROOT (or ROOT/celeba/)"
        }
        "lsp" => {
            "LSP: sam.johnson.io/research/lsp.html (lsp_dataset.zip). Layout: ROOT/images/im0001.jpg..im2000.jpg, ROOT/joints.mat (3 x 14 x 2000)"
        }
        "causal3dident" | "causal3dident-class" => {
            "Causal3DIdent: zenodo.org/record/4784282. Layout: ROOT/{trainset,testset}/images_<k>/*.png (7 class folders) with latents_<k>.npy beside them"
        }
        "coil100" => {
            "COIL-100: cave.cs.columbia.edu/repository/COIL/coil-100. Layout: ROOT/coil-100/obj{N}__{angle}.png (or directly in ROOT)"
        }
        "aloi-viewpoint" | "aloi-illumination" | "aloi-temperature" => {
            "ALOI: aloi.science.uva.nl (aloi_red4_view, aloi_red4_ill, aloi_red4_col). Layout: ROOT/viewpoint/<obj>/*.png, ROOT/illumination/<obj>/<obj>_l{L}c{C}.png, ROOT/temperature/<obj>/*.png"
        }
        "alot-viewpoint" | "alot-illumination" | "alot-temperature" => {
            "ALOT: aloi.science.uva.nl/public_alot/. Layout: ROOT/<obj>/<obj>_c{C}l{L}[r{R}][i].png"
        }
        "exposure-errors" => {
            "ExposureErrors: github.com/mahmoudnafifi/Exposure_Correction (testing set). Layout: ROOT/INPUT_IMAGES/*.JPG, ROOT/GT_IMAGES/*.jpg"
        }
        "dali" => {
            "DaLI: the dataset's project page (Dark & light images). Layout: ROOT/input/png/<N>/*.png"
        }
        "flickr1024" => {
            "Flickr1024: yingqianwang.github.io/Flickr1024. Layout: ROOT/**/NNNN_L.png with NNNN_R.png"
        }
        "realblur" => {
            "RealBlur: cg.postech.ac.kr/research/realblur (RealBlur.tar.gz). Layout: ROOT/RealBlur-J_ECC_IMCORR_centroid_itensity_ref/<scene>/{gt/gt_K.png, blur/blur_K.png}"
        }
        other => {
            return Err(DatasetError::Unsupported(format!(
                "no download help for `{other}`"
            )));
        }
    })
}

/// What `fetch` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FetchReport {
    /// Canonical dataset name.
    pub dataset: String,
    /// The Hub repository.
    pub repo: String,
    /// Files downloaded (hub cache paths).
    pub files: usize,
    /// Archives unpacked.
    pub archives: usize,
    /// Where the data went.
    pub root: PathBuf,
}

fn endpoint() -> String {
    std::env::var("HF_ENDPOINT").unwrap_or_else(|_| "https://huggingface.co".into())
}

/// Fails within `timeout` when the Hub endpoint cannot be reached, naming the repo.
pub fn check_reachable(endpoint: &str, repo: &str, timeout: Duration) -> Result<()> {
    let hub = |reason: String| DatasetError::Hub {
        repo: repo.into(),
        reason,
    };
    let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    let host_port = rest.split('/').next().unwrap_or(rest);
    let default_port = if endpoint.starts_with("http://") {
        80
    } else {
        443
    };
    let addr = if host_port.contains(':') {
        host_port.to_string()
    } else {
        format!("{host_port}:{default_port}")
    };
    let addrs: Vec<_> = addr
        .to_socket_addrs()
        .map_err(|e| hub(format!("cannot resolve {host_port} (offline?): {e}")))?
        .collect();
    let Some(first) = addrs.first() else {
        return Err(hub(format!(
            "{host_port} resolves to no address (offline?)"
        )));
    };
    TcpStream::connect_timeout(first, timeout)
        .map_err(|e| hub(format!("cannot reach {endpoint} (offline?): {e}")))?;
    Ok(())
}

/// Downloads a dataset's Hub copy into the hub cache and unpacks it under `root`.
pub fn fetch(name: &str, root: &Path, progress: bool) -> Result<FetchReport> {
    let canon = canonical(name)?;
    let Some(src) = hub_source(canon) else {
        return Err(DatasetError::Unsupported(format!(
            "`{canon}` has no Hub copy; get it by hand. {}",
            layout_help(canon)?
        )));
    };
    let hub = |reason: String| DatasetError::Hub {
        repo: src.repo.into(),
        reason,
    };
    let endpoint = endpoint();
    check_reachable(&endpoint, src.repo, Duration::from_secs(5))?;
    let api = ApiBuilder::from_env()
        .with_endpoint(endpoint)
        .with_progress(progress)
        .build()
        .map_err(|e| hub(e.to_string()))?;
    let repo = api.repo(Repo::new(src.repo.into(), RepoType::Dataset));
    let info = repo
        .info()
        .map_err(|e| hub(format!("listing files: {e}")))?;
    let wanted: Vec<String> = info
        .siblings
        .iter()
        .map(|s| s.rfilename.clone())
        .filter(|f| {
            f.starts_with(src.prefix) && !f.ends_with(".gitattributes") && !f.ends_with("README.md")
        })
        .collect();
    if wanted.is_empty() {
        let some: Vec<&str> = info
            .siblings
            .iter()
            .take(10)
            .map(|s| s.rfilename.as_str())
            .collect();
        return Err(hub(format!(
            "no files under `{}` (it has: {})",
            src.prefix,
            some.join(", ")
        )));
    }
    let dest = root.join(src.dest);
    std::fs::create_dir_all(&dest).map_err(|e| DatasetError::io(&dest, e))?;
    let before = archives_under(&dest)?;
    let mut archives = 0;
    for file in &wanted {
        let cached = repo
            .get(file)
            .map_err(|e| hub(format!("downloading {file}: {e}")))?;
        let rel = file.strip_prefix(src.prefix).unwrap_or(file);
        if is_archive(rel) {
            unpack(&cached, &dest)?;
            archives += 1;
        } else {
            let target = dest.join(rel);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| DatasetError::io(parent, e))?;
            }
            std::fs::copy(&cached, &target).map_err(|e| DatasetError::io(&target, e))?;
        }
    }
    archives += unpack_nested(&dest, &before)?;
    Ok(FetchReport {
        dataset: canon.into(),
        repo: src.repo.into(),
        files: wanted.len(),
        archives,
        root: root.to_path_buf(),
    })
}

fn archives_under(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(fsutil::walk_files(dir, &["zip", "tar", "gz", "tgz"])?
        .into_iter()
        .filter(|p| is_archive(&fsutil::file_name(p)))
        .collect())
}

/// Unpacks, next to themselves, the archives that unpacking left under `dest` (not those in `before`),
/// one level deep: the official Caltech101 zip holds `101_ObjectCategories.tar.gz`, for example.
pub fn unpack_nested(dest: &Path, before: &[PathBuf]) -> Result<usize> {
    let mut n = 0;
    for inner in archives_under(dest)? {
        if before.contains(&inner) {
            continue;
        }
        unpack(&inner, inner.parent().unwrap_or(dest))?;
        n += 1;
    }
    Ok(n)
}

/// True for the archive types `unpack` handles.
pub fn is_archive(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with(".zip") || n.ends_with(".tar") || n.ends_with(".tar.gz") || n.ends_with(".tgz")
}

/// Unpacks a `.zip` (zip crate) or `.tar[.gz]`/`.tgz` (the system `tar`) into `dest`.
pub fn unpack(archive: &Path, dest: &Path) -> Result<()> {
    let name = fsutil::file_name(archive).to_ascii_lowercase();
    if name.ends_with(".zip") {
        let file = std::fs::File::open(archive).map_err(|e| DatasetError::io(archive, e))?;
        let mut zip = zip::ZipArchive::new(file)
            .map_err(|e| DatasetError::format(archive, format!("not a readable zip: {e}")))?;
        for i in 0..zip.len() {
            let mut entry = zip
                .by_index(i)
                .map_err(|e| DatasetError::format(archive, format!("entry {i}: {e}")))?;
            // enclosed_name refuses absolute paths and `..`, so an archive cannot write outside `dest`.
            let Some(rel) = entry.enclosed_name() else {
                continue;
            };
            let out = dest.join(&rel);
            if entry.is_dir() {
                std::fs::create_dir_all(&out).map_err(|e| DatasetError::io(&out, e))?;
                continue;
            }
            if let Some(parent) = out.parent() {
                std::fs::create_dir_all(parent).map_err(|e| DatasetError::io(parent, e))?;
            }
            let mut bytes = Vec::with_capacity(entry.size() as usize);
            entry.read_to_end(&mut bytes).map_err(|e| {
                DatasetError::format(archive, format!("entry {}: {e}", rel.display()))
            })?;
            fsutil::write_atomic(&out, &bytes)?;
        }
        return Ok(());
    }
    let status = std::process::Command::new("tar")
        .arg("-xf")
        .arg(archive)
        .arg("-C")
        .arg(dest)
        .status()
        .map_err(|e| {
            DatasetError::Unsupported(format!(
                "{}: unpacking needs the `tar` program: {e}",
                archive.display()
            ))
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(DatasetError::format(
            archive,
            format!("tar -xf failed ({status})"),
        ))
    }
}
