//! `StreamSource`: images a loader decodes one at a time, on demand.

use image::RgbImage;

use crate::dataset::Dataset;
use crate::error::{DatasetError, Result};

/// A random-access list of images decoded on demand: files ([`super::FileList`]), rendered
/// scenes ([`super::Synth3dImages`]), any [`Dataset`] ([`DatasetImages`]) or images already in
/// memory (`[RgbImage]`, `Vec<RgbImage>`).
pub trait StreamSource: Send + Sync {
    /// Number of images.
    fn len(&self) -> usize;
    /// True when there are no images.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Decodes image `i` (an error names the file or item, never a panic).
    fn load(&self, i: usize) -> Result<RgbImage>;
    /// Where image `i` comes from (a path, `synth3d#i`, `memory#i`), for errors and logs.
    fn origin(&self, i: usize) -> String;
}

fn out_of_range(what: &str, index: usize, len: usize) -> DatasetError {
    DatasetError::OutOfRange {
        dataset: what.into(),
        index,
        len,
    }
}

impl StreamSource for [RgbImage] {
    fn len(&self) -> usize {
        <[RgbImage]>::len(self)
    }

    fn load(&self, i: usize) -> Result<RgbImage> {
        self.get(i)
            .cloned()
            .ok_or_else(|| out_of_range("memory", i, <[RgbImage]>::len(self)))
    }

    fn origin(&self, i: usize) -> String {
        format!("memory#{i}")
    }
}

impl StreamSource for Vec<RgbImage> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }

    fn load(&self, i: usize) -> Result<RgbImage> {
        self.as_slice().load(i)
    }

    fn origin(&self, i: usize) -> String {
        self.as_slice().origin(i)
    }
}

/// Any [`Dataset`] as a stream source (its images, crops applied, targets ignored).
pub struct DatasetImages<D: ?Sized>(pub Box<D>);

impl<D: Dataset + ?Sized> StreamSource for DatasetImages<D> {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn load(&self, i: usize) -> Result<RgbImage> {
        if i >= self.0.len() {
            return Err(out_of_range(self.0.name(), i, self.0.len()));
        }
        self.0.image(i)
    }

    fn origin(&self, i: usize) -> String {
        self.0.origin(i)
    }
}

/// The first `n` images of another source (`--max-images`).
pub struct Prefix<S> {
    inner: S,
    n: usize,
}

impl<S: StreamSource> Prefix<S> {
    /// The first `n` images of `inner` (all of them when it has fewer).
    pub fn new(inner: S, n: usize) -> Prefix<S> {
        let n = n.min(inner.len());
        Prefix { inner, n }
    }
}

impl<S: StreamSource> StreamSource for Prefix<S> {
    fn len(&self) -> usize {
        self.n
    }

    fn load(&self, i: usize) -> Result<RgbImage> {
        if i >= self.n {
            return Err(out_of_range("prefix", i, self.n));
        }
        self.inner.load(i)
    }

    fn origin(&self, i: usize) -> String {
        self.inner.origin(i)
    }
}

impl<S: StreamSource + ?Sized> StreamSource for Box<S> {
    fn len(&self) -> usize {
        (**self).len()
    }

    fn load(&self, i: usize) -> Result<RgbImage> {
        (**self).load(i)
    }

    fn origin(&self, i: usize) -> String {
        (**self).origin(i)
    }
}
