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
        "f4" => header
            .into_vec::<f32>()
            .map_err(|e| bad(&e))?
            .into_iter()
            .map(f64::from)
            .collect(),
        "i8" => header
            .into_vec::<i64>()
            .map_err(|e| bad(&e))?
            .into_iter()
            .map(|v| v as f64)
            .collect(),
        "i4" => header
            .into_vec::<i32>()
            .map_err(|e| bad(&e))?
            .into_iter()
            .map(f64::from)
            .collect(),
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
