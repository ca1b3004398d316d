//! Downloading datasets from the Hugging Face Hub (hf-hub) and turning them into the layouts the
//! loaders read; for datasets without a Hub copy, where to get them and the layout expected.
//!
//! What each Hub repository holds was read from its file tree, dataset card and `dataset_info`
//! (stored copies of the Hub pages; the Hub itself is not reachable from the build machine):
//! - `Voxel51/COIL-100` (FiftyOne export): `data/data_0..data_14/obj{N}__{angle}.png`, 7,200 files in
//!   chunks of 500 in object order (seen: `data/data_4/obj34__55.png`, `data/data_10/obj73__105.png`),
//!   beside `samples.json`, `metadata.json`, `fiftyone.yml`, `dataset_preview.gif`. Confirmed.
//! - `ernestchu/flickr1024`: `data/{train-0000[0-4]-of-00005,validation-00000-of-00001,
//!   test-00000-of-00001}.parquet`, 800 / 112 / 112 rows, features `left_image`, `right_image`
//!   (`datasets` Image: struct {bytes, path}). Confirmed; the `path` values and the row order are not.
//! - `Shiym/ViT-FineTune`: `flowers-102/{jpg/image_%05d.jpg, imagelabels.mat, setid.mat,
//!   102flowers.tgz}`. Confirmed; the tarball repeats `jpg/`, so it is skipped when `jpg/` is listed.
//! - `HuggingFaceM4/Caltech-101`: `caltech-101.zip` (the official zip: `caltech-101/
//!   101_ObjectCategories.tar.gz`, `Annotations.tar`), a loading script and `data_readme/`.
//!   Confirmed from the repo tree and its script; only the zip is fetched.
//! - `LiuRunky/Leeds_Sports_Pose`: the card says the upload is the original archive's content
//!   (`images/`, `visualized/`, `joints.mat`) and the viewer shows images, but its file list could not
//!   be read: plain files and a zip of them both end up in the layout the loader reads.
//! - `uoft-cs/cifar10`: `plain_text/{train,test}-00000-of-00001.parquet`, features `img` (Image),
//!   `label`. Confirmed. `jiachenlei/imagenet` `val/`: not re-checked.

mod hub;
mod unpack;

pub use hub::{FetchOptions, FetchReport, check_reachable, fetch, fetch_with};
pub use unpack::{archives_before, is_archive, is_mac_metadata, unpack, unpack_nested};

use crate::error::{DatasetError, Result};
use crate::registry::canonical;

/// How the fetched files become the layout the loader reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Install {
    /// Copy the files (unpacking archives, and archives inside them, in place).
    Copy,
    /// Convert the Flickr1024 parquet shards once into `NNNN_L/R` image pairs (no parquet copy kept).
    StereoPairs,
}

/// Where a dataset lives on the Hub and where its files go under the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HubSource {
    /// The Hub dataset repository.
    pub repo: &'static str,
    /// Only files under this prefix are fetched; it is stripped from their paths.
    pub prefix: &'static str,
    /// Sub-folder of the root the files (and unpacked archives) go to.
    pub dest: &'static str,
    /// Only files with these extensions are fetched (empty: all but the card and `.gitattributes`).
    pub exts: &'static [&'static str],
    /// `(file, folder)`: `file` (after the prefix) is skipped when the listing holds files under
    /// `folder`, because it is an archive of the same images.
    pub redundant: Option<(&'static str, &'static str)>,
    /// What happens to the files once downloaded.
    pub install: Install,
}

/// The Hub copy of a dataset, if there is one.
pub fn hub_source(name: &str) -> Option<HubSource> {
    let src = |repo, prefix, dest, exts| HubSource {
        repo,
        prefix,
        dest,
        exts,
        redundant: None,
        install: Install::Copy,
    };
    Some(match canonical(name).ok()? {
        "cifar10" => src("uoft-cs/cifar10", "plain_text/", "plain_text", &["parquet"]),
        "coil100" => src("Voxel51/COIL-100", "data/", "coil-100", &["png"]),
        "flowers102" => HubSource {
            redundant: Some(("102flowers.tgz", "jpg/")),
            ..src("Shiym/ViT-FineTune", "flowers-102/", "", &[])
        },
        "caltech101" => src("HuggingFaceM4/Caltech-101", "", "", &["zip"]),
        "flickr1024" => HubSource {
            install: Install::StereoPairs,
            ..src("ernestchu/flickr1024", "data/", "", &["parquet"])
        },
        "lsp" => src("LiuRunky/Leeds_Sports_Pose", "", "", &[]),
        "imagenet" => src("jiachenlei/imagenet", "val/", "val", &[]),
        _ => return None,
    })
}

impl HubSource {
    /// The repository files `fetch` downloads, out of a listing of the repository.
    pub fn wanted(&self, listing: &[String]) -> Vec<String> {
        let under = |folder: &str| {
            listing
                .iter()
                .any(|f| f.starts_with(&format!("{}{folder}", self.prefix)))
        };
        listing
            .iter()
            .filter(|f| {
                let Some(rel) = f.strip_prefix(self.prefix) else {
                    return false;
                };
                let name = rel.rsplit('/').next().unwrap_or(rel);
                let ext_ok = if self.exts.is_empty() {
                    name != ".gitattributes" && name != "README.md"
                } else {
                    self.exts
                        .iter()
                        .any(|e| name.to_ascii_lowercase().ends_with(&format!(".{e}")))
                };
                let redundant = self
                    .redundant
                    .is_some_and(|(file, folder)| rel == file && under(folder));
                ext_ok && !redundant
            })
            .cloned()
            .collect()
    }
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
            "COIL-100: cave.cs.columbia.edu/repository/COIL/coil-100. Layout: ROOT/coil-100/**/obj{N}__{angle}.png (or directly in ROOT, at any depth: the Hub copy nests them in data_N/)"
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
            "Flickr1024: yingqianwang.github.io/Flickr1024. Layout: ROOT/**/NNNN_L.png with NNNN_R.png, or the Hub parquet ROOT/**/{train,validation,test}-*.parquet (columns left_image, right_image; converted once into ROOT/flickr1024-pairs/)"
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
