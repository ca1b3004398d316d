//! CIFAR-10 as the Hub's parquet (`uoft-cs/cifar10`: `plain_text/{train,test}-*.parquet`, columns
//! `img` {bytes, path} with PNG bytes and `label`). Needs the `parquet` feature.

use std::path::{Path, PathBuf};

use crate::error::{DatasetError, Result};
use crate::fsutil;
use crate::image_set::ImageSet;
use crate::split::Split;

/// The parquet files of a split: `<root>/**/<split>-*.parquet`, sorted.
pub fn parquet_files(root: &Path, split: Split) -> Result<Vec<PathBuf>> {
    let prefixes: &[&str] = match split {
        Split::Train => &["train"],
        Split::Test => &["test"],
        Split::All => &["train", "test"],
        Split::Val => {
            return Err(DatasetError::UnknownSplit {
                dataset: "cifar10".into(),
                split: "val".into(),
                known: "train, test, all".into(),
            });
        }
    };
    let mut out = Vec::new();
    for prefix in prefixes {
        let mut files: Vec<PathBuf> = fsutil::walk_files(root, &["parquet"])?
            .into_iter()
            .filter(|p| fsutil::file_name(p).starts_with(prefix))
            .collect();
        if files.is_empty() {
            return Err(DatasetError::missing(
                root.join(format!("plain_text/{prefix}-*.parquet")),
                "CIFAR-10 parquet from uoft-cs/cifar10",
            ));
        }
        out.append(&mut files);
    }
    Ok(out)
}

/// Loads a CIFAR-10 split from the Hub's parquet files.
#[cfg(not(feature = "parquet"))]
pub fn load(root: &Path, split: Split) -> Result<ImageSet> {
    let files = parquet_files(root, split)?;
    Err(DatasetError::Unsupported(format!(
        "{}: reading parquet needs sslinv-datasets built with `--features parquet` (off by default: arrow/parquet is a heavy build); or use the python batches `cifar-10-batches-py/`",
        files[0].display()
    )))
}

/// Loads a CIFAR-10 split from the Hub's parquet files.
#[cfg(feature = "parquet")]
pub fn load(root: &Path, split: Split) -> Result<ImageSet> {
    use std::sync::Arc;

    use parquet::file::reader::FileReader;
    use parquet::record::Field;

    use crate::loaders::parquet_cells;

    use crate::image_set::Item;
    use crate::source::ImageSource;
    use crate::target::Targets;

    let mut items = Vec::new();
    let mut ids = Vec::new();
    for path in parquet_files(root, split)? {
        let reader = parquet_cells::open(&path)?;
        let img_col = parquet_cells::require_column(&path, &reader, &["img", "image"])?;
        parquet_cells::require_column(&path, &reader, &["label"])?;
        let rows = reader
            .get_row_iter(None)
            .map_err(|e| parquet_cells::row_error(&path, &e))?;
        for (r, row) in rows.enumerate() {
            let row = row.map_err(|e| parquet_cells::row_error(&path, &e))?;
            let mut bytes = None;
            let mut label = None;
            for (name, field) in row.get_column_iter() {
                match (name.as_str(), field) {
                    ("label", Field::Long(v)) => label = Some(*v),
                    ("label", Field::Int(v)) => label = Some(*v as i64),
                    (n, f) if n == img_col => bytes = parquet_cells::image_bytes(f).map(Arc::from),
                    _ => {}
                }
            }
            let (Some(bytes), Some(label)) = (bytes, label) else {
                return Err(DatasetError::format(
                    &path,
                    format!("row {r} has no image bytes in `{img_col}` or no integer `label`"),
                ));
            };
            if !(0..10).contains(&label) {
                return Err(DatasetError::format(
                    &path,
                    format!("row {r} has label {label}, want 0..10"),
                ));
            }
            items.push(Item {
                source: ImageSource::Encoded {
                    bytes,
                    origin: format!("{}#{r}", path.display()),
                },
                crop: None,
            });
            ids.push(label);
        }
    }
    ImageSet::new("cifar10", split, items, Targets::Classes { ids, count: 10 })
}
