//! safetensors bytes that depend only on the contents.

use safetensors::tensor::{SafeTensorError, View};
use std::collections::{BTreeMap, HashMap};

/// `safetensors::serialize` with the header's keys in sorted order.
///
/// The crate writes its metadata map in hash order, so two runs storing equal features wrote
/// files that differed in their header bytes; sorted, equal contents give equal files (and
/// equal checksums). The header keeps its length (same keys and values, compact JSON), so the
/// tensor offsets are unchanged.
pub fn serialize_sorted<S, V, I>(
    data: I,
    metadata: HashMap<String, String>,
) -> Result<Vec<u8>, SafeTensorError>
where
    S: AsRef<str> + Ord + std::fmt::Display,
    V: View,
    I: IntoIterator<Item = (S, V)>,
{
    let mut bytes = safetensors::serialize(data, Some(metadata))?;
    if let Some(sorted) = sorted_header(&bytes) {
        bytes[8..8 + sorted.len()].copy_from_slice(&sorted);
    }
    Ok(bytes)
}

/// The header of serialized `bytes` with every object's keys sorted and padded with spaces to
/// its length, or `None` where it would not fit (never for a header safetensors wrote).
fn sorted_header(bytes: &[u8]) -> Option<Vec<u8>> {
    let n = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?) as usize;
    let header = bytes.get(8..8usize.checked_add(n)?)?;
    // Every top-level value is an object (`__metadata__`, each tensor's dtype/shape/offsets)
    // whose values are strings or arrays: two levels of BTreeMap sort all keys.
    type Header = BTreeMap<String, BTreeMap<String, serde_json::Value>>;
    let parsed: Header = serde_json::from_slice(header).ok()?;
    let mut sorted = serde_json::to_vec(&parsed).ok()?;
    if sorted.len() > n {
        return None;
    }
    sorted.resize(n, b' ');
    Some(sorted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use safetensors::SafeTensors;
    use safetensors::tensor::{Dtype, TensorView};

    fn file() -> Vec<u8> {
        let data: Vec<u8> = (0..24u8).collect();
        let a = TensorView::new(Dtype::F32, vec![2, 3], &data).unwrap();
        let b = TensorView::new(Dtype::F32, vec![3], &data[..12]).unwrap();
        // A fresh map each time: each has its own hash seed, so its own iteration order.
        let meta: HashMap<String, String> = (0..12)
            .map(|i| (format!("key{i}"), format!("value {i}")))
            .collect();
        serialize_sorted([("features", a), ("mean", b)], meta).unwrap()
    }

    #[test]
    fn equal_contents_give_equal_bytes() {
        let first = file();
        for _ in 0..20 {
            assert_eq!(file(), first);
        }
    }

    #[test]
    fn sorted_files_read_back_the_same() {
        let bytes = file();
        let st = SafeTensors::deserialize(&bytes).unwrap();
        let t = st.tensor("features").unwrap();
        assert_eq!(t.shape(), &[2, 3]);
        assert_eq!(t.data(), &(0..24u8).collect::<Vec<_>>()[..]);
        assert_eq!(
            st.tensor("mean").unwrap().data(),
            &(0..12u8).collect::<Vec<_>>()[..]
        );
        let (_, meta) = SafeTensors::read_metadata(&bytes).unwrap();
        let meta = meta.metadata().clone().unwrap();
        assert_eq!(meta.len(), 12);
        assert_eq!(meta["key7"], "value 7");
        // The keys appear in sorted order in the header.
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let header = std::str::from_utf8(&bytes[8..8 + n]).unwrap();
        let pos = |k: &str| header.find(&format!("\"{k}\"")).unwrap();
        assert!(
            pos("key0") < pos("key1") && pos("key1") < pos("key10") && pos("key10") < pos("key2")
        );
    }
}
