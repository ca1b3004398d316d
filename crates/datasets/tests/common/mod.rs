//! Helpers that write tiny datasets in their real layouts into temporary folders.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The committed fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[allow(unused_imports)]
pub use sslinv_testkit::{pattern, png_bytes};

/// Writes an image (format from the extension), creating parent folders.
pub fn write_image(path: &Path, w: u32, h: u32, tag: u8) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    pattern(w, h, tag).save(path).unwrap();
}

/// Writes a text file, creating parent folders.
pub fn write_text(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Copies a committed fixture file to `dst`.
pub fn copy_fixture(rel: &str, dst: &Path) {
    std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
    std::fs::copy(fixtures().join(rel), dst).unwrap();
}

/// Writes an iBUG `.pts` file.
pub fn write_pts(path: &Path, points: &[[f64; 2]]) {
    let mut s = format!("version: 1\nn_points:  {}\n{{\n", points.len());
    for p in points {
        s.push_str(&format!("{} {}\n", p[0], p[1]));
    }
    s.push_str("}\n");
    write_text(path, &s);
}

/// Writes an uncompressed MAT v5 file holding double matrices `(name, dims, column-major values)`,
/// as scipy.io.savemat / MATLAB `save -v6` lay it out.
pub fn write_mat(path: &Path, vars: &[(&str, &[usize], &[f64])]) {
    sslinv_testkit::write_file(path, &sslinv_testkit::mat_v5(vars));
}

/// Writes a parquet file whose columns are `datasets` Image cells (`struct {bytes, path}`, both
/// optional), one row group; a `None` cell is a null struct. This is the schema `datasets` writes for
/// `Image()` features (checked against `Dataset.to_parquet` in datasets 5.2 / pyarrow 26).
#[cfg(feature = "parquet")]
pub fn write_image_parquet(path: &Path, columns: &[&str], rows: &[Vec<Option<Vec<u8>>>]) {
    use std::sync::Arc;

    use parquet::data_type::{ByteArray, ByteArrayType};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;

    let fields: String = columns
        .iter()
        .map(|c| {
            format!(
                "optional group {c} {{ optional binary bytes; optional binary path (STRING); }} "
            )
        })
        .collect();
    let schema = Arc::new(parse_message_type(&format!("message schema {{ {fields} }}")).unwrap());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = std::fs::File::create(path).unwrap();
    let props = Arc::new(WriterProperties::builder().build());
    let mut writer = SerializedFileWriter::new(file, schema, props).unwrap();
    let mut group = writer.next_row_group().unwrap();
    let mut leaf = 0;
    while let Some(mut col) = group.next_column().unwrap() {
        let (c, is_bytes) = (leaf / 2, leaf % 2 == 0);
        let mut values = Vec::new();
        let mut defs = Vec::new();
        for row in rows {
            match (&row[c], is_bytes) {
                (Some(b), true) => {
                    values.push(ByteArray::from(b.clone()));
                    defs.push(2);
                }
                (Some(_), false) => defs.push(1),
                (None, _) => defs.push(0),
            }
        }
        col.typed::<ByteArrayType>()
            .write_batch(&values, Some(&defs), None)
            .unwrap();
        col.close().unwrap();
        leaf += 1;
    }
    group.close().unwrap();
    writer.close().unwrap();
}

/// The error opening `name` at `root` gives (panics when it opens).
pub fn open_err(name: &str, root: &Path, split: sslinv_datasets::Split) -> String {
    match sslinv_datasets::open(name, root, split) {
        Ok(set) => panic!("{name} opened {} images from bad input", set.len()),
        Err(e) => e.to_string(),
    }
}

/// Asserts that `err` mentions every part.
pub fn assert_names(err: &str, parts: &[&str]) {
    for p in parts {
        assert!(err.contains(p), "`{p}` not in: {err}");
    }
}
