//! Reading the Hub's parquet copies (feature `parquet`): opening a file, checking its columns, and
//! taking the bytes out of a `datasets` Image cell (a struct {bytes, path}).

use std::path::Path;

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

use crate::error::{DatasetError, Result};

/// Opens a parquet file, naming it when it is missing or unreadable.
pub fn open(path: &Path) -> Result<SerializedFileReader<std::fs::File>> {
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => DatasetError::missing(path, "parquet file"),
        _ => DatasetError::io(path, e),
    })?;
    SerializedFileReader::new(file)
        .map_err(|e| DatasetError::format(path, format!("not a readable parquet file: {e}")))
}

/// The top-level column names of a parquet file.
pub fn columns(reader: &SerializedFileReader<std::fs::File>) -> Vec<String> {
    reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .root_schema()
        .get_fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect()
}

/// The first of `names` that the file has as a column, else an error naming the file, what is
/// missing and the columns it has.
pub fn require_column<'a>(
    path: &Path,
    reader: &SerializedFileReader<std::fs::File>,
    names: &[&'a str],
) -> Result<&'a str> {
    let have = columns(reader);
    names
        .iter()
        .find(|n| have.iter().any(|h| h == *n))
        .copied()
        .ok_or_else(|| {
            DatasetError::format(
                path,
                format!(
                    "no column `{}` (it has: {})",
                    names.join("` or `"),
                    have.join(", ")
                ),
            )
        })
}

/// The encoded image in a `datasets` Image cell (`{bytes, path}`), or raw bytes.
pub fn image_bytes(field: &Field) -> Option<&[u8]> {
    match field {
        Field::Group(g) => g
            .get_column_iter()
            .find_map(|(k, v)| match (k.as_str(), v) {
                ("bytes", Field::Bytes(b)) => Some(b.data()),
                _ => None,
            }),
        Field::Bytes(b) => Some(b.data()),
        _ => None,
    }
}

/// A parquet error while reading rows, naming the file.
pub fn row_error(path: &Path, e: &dyn std::fmt::Display) -> DatasetError {
    DatasetError::format(path, format!("not a readable parquet file: {e}"))
}
