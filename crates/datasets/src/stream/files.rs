//! `FileList`: image files listed once (a folder tree, an ImageFolder such as ImageNet's
//! `train/<wnid>/*.JPEG`, a list file, or given paths) and decoded on demand.
//!
//! The paths are kept relative to a root in one string buffer: about 40 bytes per file, so
//! ImageNet's 1.28 M training files take ~50 MB however large the images are.

use std::path::{Path, PathBuf};

use image::RgbImage;

use super::source::StreamSource;
use crate::error::{DatasetError, Result};
use crate::source::decode_file;
use crate::split::Split;

/// Extensions (case-insensitive) a folder listing takes as images.
pub const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "bmp"];

/// Image files decoded on demand, in a fixed order.
#[derive(Debug, Clone, Default)]
pub struct FileList {
    root: PathBuf,
    names: String,
    ends: Vec<usize>,
    labels: Vec<u32>,
    classes: Vec<String>,
}

fn utf8(path: &Path) -> Result<&str> {
    path.to_str()
        .ok_or_else(|| DatasetError::format(path, "file name is not UTF-8"))
}

fn is_image(path: &Path) -> bool {
    crate::fsutil::has_ext(path, IMAGE_EXTENSIONS)
}

/// Image files under `dir` at any depth, as paths relative to `dir`, sorted by component.
fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let here = dir.join(&rel);
        let entries = std::fs::read_dir(&here).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => DatasetError::missing(&here, "folder of images"),
            _ => DatasetError::io(&here, e),
        })?;
        for entry in entries {
            let entry = entry.map_err(|e| DatasetError::io(&here, e))?;
            let path = entry.path();
            // The entry's own type costs no system call; only links need following.
            let mut kind = entry.file_type().map_err(|e| DatasetError::io(&path, e))?;
            if kind.is_symlink() {
                kind = std::fs::metadata(&path)
                    .map_err(|e| DatasetError::io(&path, e))?
                    .file_type();
            }
            if kind.is_dir() {
                stack.push(rel.join(entry.file_name()));
            } else if is_image(&path) {
                out.push(rel.join(entry.file_name()));
            }
        }
    }
    out.sort();
    Ok(out)
}

impl FileList {
    fn push(&mut self, rel: &Path, label: Option<u32>) -> Result<()> {
        self.names.push_str(utf8(rel)?);
        self.ends.push(self.names.len());
        if let Some(l) = label {
            self.labels.push(l);
        }
        Ok(())
    }

    fn empty(root: &Path) -> FileList {
        FileList {
            root: root.to_path_buf(),
            ..FileList::default()
        }
    }

    fn non_empty(self) -> Result<FileList> {
        if self.is_empty() {
            return Err(DatasetError::missing(
                &self.root,
                format!("image files ({})", IMAGE_EXTENSIONS.join(", ")),
            ));
        }
        Ok(self)
    }

    /// Every image file under `root` at any depth, sorted by path (an error when there is none).
    pub fn walk(root: &Path) -> Result<FileList> {
        let mut list = FileList::empty(root);
        for rel in walk(root)? {
            list.push(&rel, None)?;
        }
        list.non_empty()
    }

    /// An ImageFolder: `root/<class>/**/<image>`, classes in sorted order labelled 0.., files
    /// sorted within each class (torchvision's `ImageFolder` order).
    pub fn image_folder(root: &Path) -> Result<FileList> {
        let mut list = FileList::empty(root);
        for class_dir in crate::fsutil::subdirs(root)? {
            let class = crate::fsutil::file_name(&class_dir);
            let label = list.classes.len() as u32;
            for rel in walk(&class_dir)? {
                list.push(&Path::new(&class).join(rel), Some(label))?;
            }
            list.classes.push(class);
        }
        list.non_empty()
    }

    /// ImageNet's `root/train/<wnid>/*.JPEG` (or `root/val/<wnid>/*.JPEG` for `Split::Val`).
    pub fn imagenet(root: &Path, split: Split) -> Result<FileList> {
        let dir = root.join(split.to_string());
        if !dir.is_dir() {
            return Err(DatasetError::missing(
                dir,
                format!("ImageNet {split} folder of <wnid>/*.JPEG"),
            ));
        }
        FileList::image_folder(&dir)
    }

    /// A list file: one image path per line, relative to the list file's folder unless absolute;
    /// blank lines and lines starting with `#` are skipped.
    pub fn from_list_file(list: &Path) -> Result<FileList> {
        let text = crate::fsutil::read_text(list)?;
        let base = list.parent().unwrap_or(Path::new(""));
        let paths = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(PathBuf::from);
        let mut out = FileList::from_paths(base, paths)?;
        if out.is_empty() {
            out.root = list.to_path_buf();
        }
        out.non_empty()
    }

    /// The given files in the given order; relative paths are taken relative to `root`.
    pub fn from_paths(root: &Path, paths: impl IntoIterator<Item = PathBuf>) -> Result<FileList> {
        let mut list = FileList::empty(root);
        for p in paths {
            list.push(&p, None)?;
        }
        Ok(list)
    }

    /// A folder (every image at any depth, sorted) or a list file, whichever `src` is.
    pub fn folder_or_list(src: &Path) -> Result<FileList> {
        if src.is_dir() {
            FileList::walk(src)
        } else {
            FileList::from_list_file(src)
        }
    }

    /// Every file's full path, in order.
    pub fn paths(&self) -> Vec<PathBuf> {
        (0..self.ends.len()).filter_map(|i| self.path(i)).collect()
    }

    /// Keeps the first `n` files.
    pub fn truncate(&mut self, n: usize) {
        if n < self.ends.len() {
            self.ends.truncate(n);
            self.names.truncate(self.ends.last().copied().unwrap_or(0));
            self.labels.truncate(n);
        }
    }

    /// The folder relative paths are resolved against.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of file `i`, as stored (relative to [`FileList::root`] unless absolute).
    pub fn relative(&self, i: usize) -> Option<&Path> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(Path::new(&self.names[start..end]))
    }

    /// The full path of file `i`.
    pub fn path(&self, i: usize) -> Option<PathBuf> {
        self.relative(i).map(|r| self.root.join(r))
    }

    /// The class index of file `i` (ImageFolder lists only).
    pub fn label(&self, i: usize) -> Option<usize> {
        self.labels.get(i).map(|&l| l as usize)
    }

    /// Class names, index = label (ImageFolder lists only; empty otherwise).
    pub fn classes(&self) -> &[String] {
        &self.classes
    }
}

impl StreamSource for FileList {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn load(&self, i: usize) -> Result<RgbImage> {
        let path = self.path(i).ok_or_else(|| DatasetError::OutOfRange {
            dataset: self.root.display().to_string(),
            index: i,
            len: self.ends.len(),
        })?;
        decode_file(&path)
    }

    fn origin(&self, i: usize) -> String {
        self.path(i)
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    }
}
