//! Reading numeric arrays from MAT v5 (`matfile`) and `.npy` (`npyz`) files, with errors naming the file.

use std::path::Path;

use crate::error::{DatasetError, Result};

/// A numeric array as f64 with its shape; `column_major` tells how `values` is ordered.
#[derive(Debug, Clone, PartialEq)]
pub struct NumArray {
    /// The dimensions, as written in the file.
    pub shape: Vec<usize>,
    /// All values.
    pub values: Vec<f64>,
    /// True for MATLAB (first index fastest), false for C order (last index fastest).
    pub column_major: bool,
}

impl NumArray {
    /// The value at a multi-index (must match `shape`'s rank and be in range).
    pub fn at(&self, index: &[usize]) -> f64 {
        let mut flat = 0;
        if self.column_major {
            for (&dim, &i) in self.shape.iter().zip(index).rev() {
                flat = flat * dim + i;
            }
        } else {
            for (&dim, &i) in self.shape.iter().zip(index) {
                flat = flat * dim + i;
            }
        }
        self.values[flat]
    }
}

fn read_bytes(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => DatasetError::missing(path, what),
        _ => DatasetError::io(path, e),
    })
}

/// Reads the real part of the variable `name` from a MAT v5 file.
pub fn read_mat(path: &Path, name: &str) -> Result<NumArray> {
    let bytes = read_bytes(path, "MAT file")?;
    check_mat_header(path, &bytes)?;
    let mat = matfile::MatFile::parse(bytes.as_slice())
        .map_err(|e| DatasetError::format(path, format!("not a readable MAT v5 file: {e:?}")))?;
    let Some(array) = mat.find_by_name(name) else {
        let names: Vec<&str> = mat.arrays().iter().map(|a| a.name()).collect();
        return Err(DatasetError::format(
            path,
            format!("no variable `{name}` (it has: {})", names.join(", ")),
        ));
    };
    use matfile::NumericData as N;
    let values: Vec<f64> = match array.data() {
        N::Int8 { real, .. } => real.iter().map(|&v| v as f64).collect(),
        N::UInt8 { real, .. } => real.iter().map(|&v| v as f64).collect(),
        N::Int16 { real, .. } => real.iter().map(|&v| v as f64).collect(),
        N::UInt16 { real, .. } => real.iter().map(|&v| v as f64).collect(),
        N::Int32 { real, .. } => real.iter().map(|&v| v as f64).collect(),
        N::UInt32 { real, .. } => real.iter().map(|&v| v as f64).collect(),
        N::Int64 { real, .. } => real.iter().map(|&v| v as f64).collect(),
        N::UInt64 { real, .. } => real.iter().map(|&v| v as f64).collect(),
        N::Single { real, .. } => real.iter().map(|&v| v as f64).collect(),
        N::Double { real, .. } => real.clone(),
    };
    let shape = array.size().clone();
    if shape.iter().product::<usize>() != values.len() {
        return Err(DatasetError::format(
            path,
            format!(
                "variable `{name}` has shape {shape:?} but {} values",
                values.len()
            ),
        ));
    }
    Ok(NumArray {
        shape,
        values,
        column_major: true,
    })
}

/// Refuses, by their 128-byte header, files that are not MAT v5: MATLAB 7.3 files are HDF5, which
/// `matfile` does not read (and would report as a puzzling parse error).
fn check_mat_header(path: &Path, bytes: &[u8]) -> Result<()> {
    let Some(header) = bytes.get(..128) else {
        return Err(DatasetError::format(
            path,
            format!(
                "{} bytes: too short for a MAT file (its header alone is 128)",
                bytes.len()
            ),
        ));
    };
    if !header.starts_with(b"MATLAB") {
        return Err(DatasetError::format(
            path,
            "not a MAT file (the header does not start with `MATLAB`)",
        ));
    }
    let version = match &header[126..128] {
        b"IM" => u16::from_le_bytes([header[124], header[125]]),
        b"MI" => u16::from_be_bytes([header[124], header[125]]),
        _ => {
            return Err(DatasetError::format(
                path,
                "MAT header has no endian marker (`IM`/`MI`)",
            ));
        }
    };
    let text = String::from_utf8_lossy(&header[..116]);
    if version == 0x0200 || text.contains("MATLAB 7.3") {
        return Err(DatasetError::format(
            path,
            "a MAT v7.3 file (HDF5), which is not read: save it as v7 or older (MATLAB `save -v7`, scipy.io.savemat)",
        ));
    }
    if version != 0x0100 {
        return Err(DatasetError::format(
            path,
            format!("MAT header version {version:#06x}, want 0x0100 (MAT v5)"),
        ));
    }
    Ok(())
}

fn as_f64<T>(values: Vec<T>, convert: fn(T) -> f64) -> Vec<f64> {
    values.into_iter().map(convert).collect()
}

/// Reads a float or integer `.npy` array as f64.
pub fn read_npy(path: &Path) -> Result<NumArray> {
    let bytes = read_bytes(path, ".npy file")?;
    let bad = |e: &dyn std::fmt::Display| {
        DatasetError::format(path, format!("not a readable .npy file: {e}"))
    };
    let header = npyz::NpyFile::new(bytes.as_slice()).map_err(|e| bad(&e))?;
    let shape: Vec<usize> = header.shape().iter().map(|&d| d as usize).collect();
    let column_major = header.order() == npyz::Order::Fortran;
    let descr = header.dtype().descr();
    let values: Vec<f64> = match descr
        .trim_matches(['\'', '"'])
        .trim_start_matches(['<', '|', '='])
    {
        "f8" => header.into_vec::<f64>().map_err(|e| bad(&e))?,
        "f4" => as_f64(header.into_vec::<f32>().map_err(|e| bad(&e))?, f64::from),
        // .npy latents and labels stay far below 2^53: exact as f64.
        "i8" => as_f64(header.into_vec::<i64>().map_err(|e| bad(&e))?, |v| v as f64),
        "i4" => as_f64(header.into_vec::<i32>().map_err(|e| bad(&e))?, f64::from),
        other => {
            return Err(DatasetError::format(
                path,
                format!("unsupported .npy dtype `{other}` (want f8, f4, i8 or i4 little-endian)"),
            ));
        }
    };
    if shape.iter().product::<usize>() != values.len() {
        return Err(DatasetError::format(
            path,
            format!("shape {shape:?} but {} values", values.len()),
        ));
    }
    Ok(NumArray {
        shape,
        values,
        column_major,
    })
}
