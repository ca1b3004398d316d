//! Writing the image pairs of parquet shards (`left_image`, `right_image` cells) out as files.

use std::path::{Path, PathBuf};

use crate::error::{DatasetError, Result};

/// Writes every row of `shards` as `<out>/<split>/NNNN_L.<ext>` and `NNNN_R.<ext>`; returns the rows.
#[cfg(not(feature = "parquet"))]
pub fn write_pairs(shards: &[PathBuf], _out: &Path) -> Result<usize> {
    Err(DatasetError::Unsupported(format!(
        "{}: reading parquet needs sslinv-datasets built with the `parquet` feature",
        shards
            .first()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    )))
}

/// Writes every row of `shards` as `<out>/<split>/NNNN_L.<ext>` and `NNNN_R.<ext>`; returns the rows.
///
/// Rows are read one row group at a time, so memory is bounded by a row group, not the dataset.
#[cfg(feature = "parquet")]
pub fn write_pairs(shards: &[PathBuf], out: &Path) -> Result<usize> {
    use std::collections::BTreeMap;

    use parquet::file::reader::FileReader;

    use crate::loaders::parquet_cells;
    use crate::views::flickr1024::{COLUMNS, shard_split};

    let mut sorted = shards.to_vec();
    sorted.sort_by_key(|p| (shard_split(p), crate::fsutil::file_name(p), p.clone()));
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for shard in &sorted {
        let reader = parquet_cells::open(shard)?;
        for col in COLUMNS {
            parquet_cells::require_column(shard, &reader, &[col])?;
        }
        let split = shard_split(shard);
        let dir = out.join(&split);
        std::fs::create_dir_all(&dir).map_err(|e| DatasetError::io(&dir, e))?;
        let rows = reader
            .get_row_iter(None)
            .map_err(|e| parquet_cells::row_error(shard, &e))?;
        for (r, row) in rows.enumerate() {
            let row = row.map_err(|e| parquet_cells::row_error(shard, &e))?;
            let n = counts.entry(split.clone()).or_default();
            *n += 1;
            for (col, side) in COLUMNS.iter().zip(["L", "R"]) {
                let cell = row
                    .get_column_iter()
                    .find(|(k, _)| k.as_str() == *col)
                    .and_then(|(_, f)| parquet_cells::image_bytes(f))
                    .filter(|b| !b.is_empty());
                let Some(bytes) = cell else {
                    return Err(DatasetError::format(
                        shard,
                        format!("row {r}: `{col}` holds no image bytes"),
                    ));
                };
                let ext = match image::guess_format(bytes) {
                    Ok(image::ImageFormat::Png) => "png",
                    Ok(image::ImageFormat::Jpeg) => "jpg",
                    _ => {
                        return Err(DatasetError::format(
                            shard,
                            format!("row {r}: `{col}` is neither a PNG nor a JPEG"),
                        ));
                    }
                };
                let file = dir.join(format!("{:04}_{side}.{ext}", *n));
                std::fs::write(&file, bytes).map_err(|e| DatasetError::io(&file, e))?;
            }
        }
    }
    Ok(counts.values().sum())
}
