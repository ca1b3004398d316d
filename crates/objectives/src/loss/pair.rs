//! The shape check every two-input loss starts with.

use candle_core::Tensor;

use crate::{ObjectivesError, Result};

/// (N, D) of two N x D matrices, or an error naming both (`what` = (first, second)).
pub fn paired_dims(a: &Tensor, b: &Tensor, what: (&str, &str)) -> Result<(usize, usize)> {
    let dims = a.dims2()?;
    if b.dims2()? != dims {
        return Err(ObjectivesError::Shape(format!(
            "{} {:?} vs {} {:?}",
            what.0,
            a.dims(),
            what.1,
            b.dims()
        )));
    }
    Ok(dims)
}
