//! How a checkpoint's tensors differ from the names and shapes an architecture expects: one
//! check for ResNets and ViTs, so both name every missing, unexpected and mis-shaped tensor.

use std::collections::{BTreeSet, HashMap};

use candle_core::{DType, Tensor};

/// Names listed per kind of difference before the rest are counted.
const SHOWN: usize = 8;

/// The differences between a file's tensors and an architecture's `(name, shape)` list.
#[derive(Debug, Default)]
pub(crate) struct LayoutDiff {
    missing: Vec<String>,
    unexpected: Vec<String>,
    misshaped: Vec<String>,
    non_float: Vec<String>,
}

impl LayoutDiff {
    /// Compares `tensors` with `expected`.
    pub(crate) fn new(
        tensors: &HashMap<String, Tensor>,
        expected: &[(String, Vec<usize>)],
    ) -> Self {
        let mut diff = LayoutDiff::default();
        for (name, dims) in expected {
            match tensors.get(name) {
                None => diff.missing.push(name.clone()),
                Some(t) if t.dims() != dims.as_slice() => diff
                    .misshaped
                    .push(format!("{name} is {:?}, expected {dims:?}", t.dims())),
                // Float tensors were converted to f32 on reading; integers are not weights.
                Some(t) if t.dtype() != DType::F32 => {
                    diff.non_float.push(format!("{name} is {:?}", t.dtype()))
                }
                Some(_) => {}
            }
        }
        let known: BTreeSet<&str> = expected.iter().map(|(n, _)| n.as_str()).collect();
        diff.unexpected = tensors
            .keys()
            .filter(|k| !known.contains(k.as_str()))
            .cloned()
            .collect();
        diff.unexpected.sort();
        diff.missing.sort();
        diff
    }

    /// `N missing: a, b; N unexpected: c; ...`, or `None` when the file fits.
    pub(crate) fn describe(&self) -> Option<String> {
        let parts: Vec<String> = [
            ("missing", &self.missing),
            ("unexpected", &self.unexpected),
            ("with the wrong shape", &self.misshaped),
            ("with a non-float dtype", &self.non_float),
        ]
        .into_iter()
        .filter(|(_, items)| !items.is_empty())
        .map(|(title, items)| {
            let shown: Vec<&str> = items.iter().take(SHOWN).map(String::as_str).collect();
            let more = match items.len().saturating_sub(SHOWN) {
                0 => String::new(),
                n => format!(" (+{n} more)"),
            };
            format!("{} {title}: {}{more}", items.len(), shown.join(", "))
        })
        .collect();
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}
